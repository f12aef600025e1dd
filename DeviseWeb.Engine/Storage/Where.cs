using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// LiteDB filters whose text never changes, the value passed as a parameter. A lambda (<c>x => x.Hash == hash</c>)
/// makes LiteDB translate and compile it on every call (about 4 ms of CPU an API request spent on its key and user),
/// and <c>Query.EQ(field, value)</c> writes the value into the expression's text, so every new value compiles a new
/// expression and LiteDB keeps each one in a cache that never shrinks (10,000 uploads grew the process by 32 MB and
/// halved their rate). One text per filter compiles once.
/// </summary>
public static class Where
{
    /// <summary>Documents whose <paramref name="field"/> equals <paramref name="value"/> (an index on the field is used).</summary>
    public static BsonExpression Equal(string field, BsonValue value) => BsonExpression.Create($"$.{field} = @0", value);

    /// <summary>Documents whose id is one of <paramref name="ids"/>.</summary>
    public static BsonExpression IdIn(IEnumerable<int> ids) => BsonExpression.Create("$._id IN @0", new BsonArray(ids.Select(id => new BsonValue(id))));
}
