namespace DeviseWeb.Accounts;

/// <summary>What a signed-in user may do; each role includes everything of the ones before it.</summary>
public enum UserRole
{
    /// <summary>Browse, search, reference photos, share links.</summary>
    Viewer,

    /// <summary>Also upload, label and delete images, start and cancel training, activate a model, make public links.</summary>
    Editor,

    /// <summary>Also users, API keys and the audit log.</summary>
    Admin,
}
