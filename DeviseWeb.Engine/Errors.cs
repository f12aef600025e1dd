namespace DeviseWeb.Engine;

/// <summary>
/// A request the engine cannot serve, with a message a person can act on. Hosts map the subclasses once:
/// <see cref="NotFoundException"/> to 404, <see cref="ConflictException"/> to 409, <see cref="InvalidInputException"/> to 400.
/// </summary>
public class DeviseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An id, a file or a version that does not exist.</summary>
public sealed class NotFoundException(string message) : DeviseException(message);

/// <summary>The request is fine but the state forbids it now: no trained model yet, the job queue is full.</summary>
public sealed class ConflictException(string message) : DeviseException(message);

/// <summary>The request itself is wrong: a bad option, an empty query, a label that breaks the rules.</summary>
public sealed class InvalidInputException(string message) : DeviseException(message);

/// <summary>The data directory's disk is too full for a write; nothing was written, and the same request can be retried.</summary>
public sealed class DiskFullException(string message) : DeviseException(message);

/// <summary>
/// The store could not undo a failed write (the disk filled inside a transaction) and refuses further writes until the
/// process restarts and reopens it; what was committed before is intact.
/// </summary>
public sealed class StoreFaultedException(string message, Exception inner) : DeviseException(message, inner);

/// <summary>
/// The vector index lives in another service (PostgreSQL) that cannot be reached now: the request changed nothing and
/// can be tried again once it is back. The message names the index.
/// </summary>
public sealed class IndexUnavailableException(string message, Exception? inner = null) : DeviseException(message, inner);

/// <summary>Another process (the app, another CLI) holds the data directory; the message names it.</summary>
public sealed class DataDirectoryInUseException(string message) : DeviseException(message);
