// One server at a time in this process: every server's meter is named Tsunami.Serving, and each server's
// OpenTelemetry listener would also hear the meters of the others, mixing their metrics.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
