namespace DeviseWeb.Components.Pages.Gallery;

/// <summary>
/// The gallery's selection mode: whether cards are checkboxes, and which image ids are ticked. Kept across
/// pages and filters, so a selection can be built over several pages; cleared after each change it served.
/// </summary>
public sealed class GallerySelection
{
    private readonly HashSet<int> _ids = [];

    public bool IsActive { get; private set; }

    public int Count => _ids.Count;

    /// <summary>The ticked ids, in no particular order.</summary>
    public IReadOnlyCollection<int> Ids => _ids;

    public bool Contains(int id) => _ids.Contains(id);

    public void Set(int id, bool selected)
    {
        if (selected) _ids.Add(id);
        else _ids.Remove(id);
    }

    public void SelectAll(IEnumerable<int> ids) => _ids.UnionWith(ids);

    /// <summary>True when every id given is ticked (and there is at least one).</summary>
    public bool ContainsAll(IReadOnlyCollection<int> ids) => ids.Count > 0 && ids.All(_ids.Contains);

    public void Clear() => _ids.Clear();

    public void Start() => IsActive = true;

    public void Stop()
    {
        IsActive = false;
        _ids.Clear();
    }
}
