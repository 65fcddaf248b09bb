using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using OpenCalendly.Bench.Slots;

// `--quick` runs a short job for smoke checks; anything else is passed to BenchmarkDotNet.
var quick = args.Contains("--quick");
var config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableLogFile);
if (quick) config = config.AddJob(Job.ShortRun);
BenchmarkRunner.Run<SlotBenchmarks>(config, [.. args.Where(a => a != "--quick")]);
