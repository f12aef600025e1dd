using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace DeviseWeb.Extensions;

/// <summary>
/// appsettings.json is read from the content root, which is the working directory; started from elsewhere (the
/// repository root by scripts/run.sh, a systemd unit) the app would silently run without it: no log levels, no
/// AllowedHosts. When the content root lacks the file, the copy built beside the executable is read instead, in the
/// same place among the configuration sources, so environment variables and --options still override it.
/// </summary>
public static class AppSettingsBesideTheApp
{
    public static void ReadAppSettingsBesideTheApp(this WebApplicationBuilder builder)
    {
        var sources = builder.Configuration.Sources;
        for (int i = 0; i < sources.Count; i++)
        {
            if (sources[i] is not JsonConfigurationSource { Path: { } path } json || !path.StartsWith("appsettings", StringComparison.Ordinal)) continue;
            if (json.FileProvider?.GetFileInfo(path).Exists == true || !File.Exists(Path.Combine(AppContext.BaseDirectory, path))) continue;
            sources[i] = new JsonConfigurationSource
            {
                FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory), Path = path, Optional = true, ReloadOnChange = json.ReloadOnChange,
            };
        }
    }
}
