namespace DeviseWeb.Engine;

/// <summary>A sample that keeps a list's spread: all of it up to a limit, else that many items at even steps through it.</summary>
public static class EvenlySpaced
{
    public static IReadOnlyList<T> Take<T>(IReadOnlyList<T> items, int limit)
    {
        if (items.Count <= limit) return items;
        double step = items.Count / (double)limit;
        var picked = new T[limit];
        for (int i = 0; i < limit; i++) picked[i] = items[(int)(i * step)];
        return picked;
    }
}
