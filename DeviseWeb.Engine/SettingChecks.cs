using System.Globalization;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Engine;

/// <summary>
/// What is wrong with a group of bound settings, each problem naming the setting by its configuration key, what it may
/// be and its value ("Devise:JobQueueCapacity must be between 1 and 10000 (it is 0)"). The options' validators use it,
/// and the hosts run them when they start (ValidateOnStart), so a bad setting stops the app or the CLI at once with
/// that message instead of being clamped, or failing later, where it is read.
/// </summary>
public sealed class SettingChecks(string section)
{
    private readonly List<string> _problems = [];

    public ValidateOptionsResult Result => _problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_problems);

    public void Range(string name, long value, long min, long max) =>
        Require(value >= min && value <= max, name, Show(value), max == long.MaxValue ? $"{Show(min)} or more" : $"between {Show(min)} and {Show(max)}");

    public void Range(string name, double value, double min, double max) =>
        Require(value >= min && value <= max, name, Show(value), $"between {Show(min)} and {Show(max)}");

    public void Range(string name, TimeSpan value, TimeSpan min, TimeSpan max) =>
        Require(value >= min && value <= max, name, value.ToString("c", CultureInfo.InvariantCulture),
            $"between {min.ToString("c", CultureInfo.InvariantCulture)} and {max.ToString("c", CultureInfo.InvariantCulture)}");

    public void NotEmpty(string name, string? value, string what) => Require(!string.IsNullOrWhiteSpace(value), name, "empty", what);

    /// <summary>Records a problem unless <paramref name="ok"/>: "{section}:{name} must be {requirement} (it is {shown})".</summary>
    public void Require(bool ok, string name, string shown, string requirement)
    {
        if (!ok) _problems.Add($"{section}:{name} must be {requirement} (it is {shown})");
    }

    /// <summary>
    /// Every bad setting a failed start reports, "; " between them: one options type's failures arrive as an
    /// <see cref="OptionsValidationException"/>, several types' as an <see cref="AggregateException"/> of them. Null for
    /// any other exception.
    /// </summary>
    public static string? Problems(Exception exception) => exception switch
    {
        OptionsValidationException one => one.Message,
        AggregateException { InnerExceptions: var all } when all.Count > 0 && all.All(e => e is OptionsValidationException) =>
            string.Join("; ", all.Select(e => e.Message)),
        _ => null,
    };

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
