using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using OpenCalendly.Bench.Caching;

// What a public page's cache hit costs with IMemoryCache (PublicPageCache) and with HybridCache, over the documents a
// page holds: the README's "Written by hand, and why" cites these figures. Arguments go to BenchmarkDotNet.
BenchmarkRunner.Run<PageCacheBenchmarks>(DefaultConfig.Instance.WithOptions(ConfigOptions.DisableLogFile), args);
