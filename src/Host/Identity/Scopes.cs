using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using OpenCalendly.Host.Api;

namespace OpenCalendly.Host.Identity;

/// <summary>
/// An organizer route an API key may call when it holds <paramref name="scope"/>; a signed-in session may always call it.
/// Routes with a plain <c>[Authorize]</c> take a session only (the default policy): keys, sign-in, teams and calendar
/// connections change the account.
/// </summary>
public sealed class ScopeAttribute(string scope) : AuthorizeAttribute(ScopePolicies.Prefix + scope);

/// <summary>A route any signed-in caller may use, session or API key of any scope (who am I).</summary>
public sealed class AnyCallerAttribute() : AuthorizeAttribute(ScopePolicies.AnyCaller);

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed record SessionRequirement : IAuthorizationRequirement;

public static class ScopePolicies
{
    public const string Prefix = "scope:";
    public const string AnyCaller = "any-caller";

    public static void Configure(AuthorizationOptions options)
    {
        options.DefaultPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new SessionRequirement()).Build();
        options.AddPolicy(AnyCaller, p => p.RequireAuthenticatedUser());
        foreach (var scope in ApiScopes.All)
            options.AddPolicy(Prefix + scope, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
    }
}

/// <summary>A session meets every requirement; an API key meets a scope it holds and never the session requirement.</summary>
public sealed class ScopeChecks : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var key = context.User.ApiKey();
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var met = requirement switch
            {
                SessionRequirement => key is null,
                ScopeRequirement s => key is null || context.User.HasClaim(SessionAuthentication.ScopeClaim, s.Scope),
                _ => false,
            };
            if (met) context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Answers a refused API key with the contract's problem, naming the scope it lacks.</summary>
public sealed class AuthorizationProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (!result.Forbidden || result.AuthorizationFailure is not { } failure)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }
        var missing = failure.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault();
        var problem = missing is not null
            ? Problems.Create(403, "insufficient-scope", $"This API key lacks the scope {missing.Scope}.")
            : Problems.Create(403, "session-required", "API keys cannot use this route (API keys, teams, calendar connections and the account itself); sign in instead.");
        if (missing is not null) problem.Extensions["scope"] = missing.Scope;
        context.Response.StatusCode = 403;
        await Problems.Result(problem).ExecuteAsync(context);
    }
}
