namespace Wren;

/// <summary>Where calls run.</summary>
public enum WrenBackend
{
    /// <summary>Worker processes on this machine, storage in a local folder. The default.</summary>
    Local,

    /// <summary>AWS Lambda, storage in S3.</summary>
    Lambda,

    /// <summary>AWS Batch, storage in S3: for calls longer than 15 minutes, larger than 10 GB, or needing a GPU.</summary>
    Batch,
}
