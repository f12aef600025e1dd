using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace DeviseWeb.Accounts;

/// <summary>
/// The first start on an empty data directory: the first visit may create the Admin, but only from this machine
/// (a loopback address) or with the one-time setup code the server prints in its log. Gone once a user exists.
/// </summary>
public sealed class FirstAdminSetup(UserAccounts users)
{
    public const string Path = "/setup";

    /// <summary>Eight letters and digits without look-alikes, in two groups: easy to read off a log and type.</summary>
    public string Code { get; } = NewCode();

    public bool IsNeeded => !users.Any;

    /// <summary>
    /// True for a browser on this machine. A request relayed by a proxy (it carries X-Forwarded-For or Forwarded) is
    /// not, even from a proxy on this machine: the browser behind it may be anywhere, so it needs the code.
    /// </summary>
    public static bool IsLoopback(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey("X-Forwarded-For") || context.Request.Headers.ContainsKey("Forwarded")) return false;
        // The in-memory test server has no remote address; it is this process.
        return context.Connection.RemoteIpAddress is not { } address || IPAddress.IsLoopback(address);
    }

    public bool Accepts(HttpContext context, string? code) =>
        IsNeeded && (IsLoopback(context) || Matches(code));

    private bool Matches(string? code)
    {
        string given = new((code ?? "").ToUpperInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
        string expected = Code.Replace("-", "", StringComparison.Ordinal);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(expected));
    }

    private static string NewCode()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = Enumerable.Range(0, 8).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]).ToArray();
        return new string(chars, 0, 4) + "-" + new string(chars, 4, 4);
    }
}
