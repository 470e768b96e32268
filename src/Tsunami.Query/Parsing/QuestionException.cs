namespace Tsunami.Query.Parsing;

/// <summary>A question that cannot be answered as written; the message says which part and why.</summary>
public sealed class QuestionException(string message) : Exception(message);
