using System.Net;

namespace Wren.Aws;

/// <summary>An AWS service refused a request: its error code, message and request id, as AWS gave them.</summary>
public sealed class AwsServiceException : WrenException
{
    internal AwsServiceException(string service, string operation, HttpStatusCode status, string errorCode, string awsMessage, string? requestId)
        : base($"{service} {operation} failed: {errorCode}: {awsMessage} (HTTP {(int)status}{(requestId is null ? "" : $", request {requestId}")})")
    {
        Service = service;
        Operation = operation;
        StatusCode = status;
        ErrorCode = errorCode;
        AwsMessage = awsMessage;
        RequestId = requestId;
    }

    /// <summary>The service, such as Lambda or IAM.</summary>
    public string Service { get; }

    /// <summary>The operation, such as CreateFunction.</summary>
    public string Operation { get; }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The AWS error code, such as ResourceNotFoundException.</summary>
    public string ErrorCode { get; }

    /// <summary>The message AWS gave.</summary>
    public string AwsMessage { get; }

    /// <summary>AWS's id of the request, for support cases.</summary>
    public string? RequestId { get; }

    /// <summary>How long the service asked the client to wait before trying again (Retry-After), if it said.</summary>
    internal TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether the request may succeed if sent again: throttling and server errors.</summary>
    public bool IsRetryable =>
        StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
        || ErrorCode is "Throttling" or "ThrottlingException" or "TooManyRequestsException" or "RequestLimitExceeded" or "ServiceUnavailable" or "RequestThrottled";
}
