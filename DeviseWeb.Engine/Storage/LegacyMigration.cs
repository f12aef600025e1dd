using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Brings an older release's store up to date, once. The first release's layout (one "features" and one "embeddings"
/// document per image) moves into vector columns in one transaction: the rows become column tail records, which the
/// indexes seal into segment files as they open. The emptied old collections are dropped after the commit (LiteDB
/// cannot drop a collection inside a transaction); a crash in between leaves them empty, and the next start just
/// drops them. The augmented views' columns ("views/…"), a method that left the product, are dropped with their files.
/// </summary>
public static class LegacyMigration
{
    /// <summary>Prefix of the columns the augmented-views job wrote (one per backbone, background and view).</summary>
    public const string RetiredViewsPrefix = "views/";

    public static void Run(DeviseDatabase database, string dataDirectory)
    {
        DropRetiredColumns(database, dataDirectory);
        MoveFirstReleaseVectors(database);
    }

    /// <summary>Drops every "views/…" column: records in one transaction, then their segment files and folders.</summary>
    private static void DropRetiredColumns(DeviseDatabase database, string dataDirectory)
    {
        var columns = database.Lite.GetCollection<VectorColumnRecord>("vector_columns");
        var retired = columns.Find(Query.StartsWith("_id", RetiredViewsPrefix)).ToList();
        if (retired.Count == 0) return;
        var tail = database.Lite.GetCollection<VectorTailRecord>("vector_tail");
        database.Write(() =>
        {
            foreach (var column in retired)
            {
                tail.DeleteMany(Query.EQ("Column", column.Id));
                columns.Delete(column.Id);
            }
        });
        // After the commit; a crash before the files go leaves them unlisted, and the store's orphan sweep deletes them.
        foreach (var file in retired.SelectMany(c => c.Segments).Select(s => Path.GetFullPath(Path.Combine(dataDirectory, s))))
        {
            File.Delete(file);
            var folder = Path.GetDirectoryName(file);
            if (folder is not null && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
    }

    private static void MoveFirstReleaseVectors(DeviseDatabase database)
    {
        var lite = database.Lite;
        bool hasFeatures = lite.CollectionExists("features"), hasEmbeddings = lite.CollectionExists("embeddings");
        if (!hasFeatures && !hasEmbeddings) return;
        var columns = lite.GetCollection<VectorColumnRecord>("vector_columns");
        var tail = lite.GetCollection<VectorTailRecord>("vector_tail");
        database.Write(() =>
        {
            if (hasFeatures)
                foreach (var group in lite.GetCollection("features").FindAll().GroupBy(d => d["Backbone"].AsString))
                    Move(columns, tail, VectorColumnStore.FeaturesColumn(group.Key), quantized: false,
                        group.Select(d => (d["_id"].AsInt32, d["Vector"].AsBinary)));
            if (hasEmbeddings)
                foreach (var group in lite.GetCollection("embeddings").FindAll().GroupBy(d => d["ModelId"].AsInt32))
                    Move(columns, tail, VectorColumnStore.EmbeddingsColumn(group.Key), quantized: true,
                        group.Select(d => (d["ImageId"].AsInt32, d["Vector"].AsBinary)));
            if (hasFeatures) lite.GetCollection("features").DeleteAll();
            if (hasEmbeddings) lite.GetCollection("embeddings").DeleteAll();
        });
        lite.DropCollection("features");
        lite.DropCollection("embeddings");
    }

    private static void Move(ILiteCollection<VectorColumnRecord> columns, ILiteCollection<VectorTailRecord> tail,
        string column, bool quantized, IEnumerable<(int ImageId, byte[] Vector)> rows)
    {
        var records = rows.Select(r => new VectorTailRecord
        {
            Id = VectorTailRecord.KeyOf(column, r.ImageId), Column = column, ImageId = r.ImageId, Vector = r.Vector,
        }).ToList();
        if (records.Count == 0) return;
        columns.Upsert(new VectorColumnRecord { Id = column, Dimension = records[0].Vector.Length / sizeof(float), Quantized = quantized });
        tail.Upsert(records);
    }
}
