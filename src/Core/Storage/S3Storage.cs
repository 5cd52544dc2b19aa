using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Wren.Aws;

namespace Wren.Storage;

/// <summary>
/// Storage in an S3 bucket through AWSSDK.S3. Objects larger than <see cref="MultipartThreshold"/> are uploaded in
/// parts, several at a time. Errors that a user can fix (no such bucket, wrong region, access denied) say how.
/// </summary>
internal sealed class S3Storage : IObjectStorage
{
    public const int MultipartThreshold = 16 * 1024 * 1024;
    private const int PartSize = 8 * 1024 * 1024;
    private const int PartsInFlight = 4;

    /// <summary>How many times one S3 request is tried before its error is reported.</summary>
    public const int MaxAttempts = 10;

    private readonly IAmazonS3 _s3;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;

    /// <summary>
    /// Storage in <paramref name="bucket"/>. A <paramref name="client"/> handed in stays the caller's (this does not
    /// dispose it); without one, this makes its own from the environment's credentials and disposes it.
    /// </summary>
    public S3Storage(string bucket, string region, IAmazonS3? client = null, HttpMessageHandler? handler = null, Func<string, string?>? environment = null,
        TimeProvider? time = null)
    {
        Bucket = bucket;
        Region = region;
        _time = time ?? TimeProvider.System;
        _ownsClient = client is null;
        _s3 = client ?? CreateClient(AwsContext.FromEnvironment(region, _time, environment), handler);
    }

    /// <summary>Storage in <paramref name="bucket"/> through a client of its own, made from the context (and disposed with this).</summary>
    public S3Storage(string bucket, AwsContext aws, HttpMessageHandler? handler = null)
    {
        Bucket = bucket;
        Region = aws.Region;
        _time = aws.Time;
        _ownsClient = true;
        _s3 = CreateClient(aws, handler);
    }

    public string Bucket { get; }

    public string Region { get; }

    public string Describe => $"s3://{Bucket}";

    /// <summary>An S3 client for the environment's credentials and region (and its endpoint override, such as moto's).</summary>
    public static IAmazonS3 CreateClient(string region, HttpMessageHandler? handler = null, Func<string, string?>? environment = null) =>
        CreateClient(AwsContext.FromEnvironment(region, environment: environment), handler);

    /// <summary>An S3 client with the context's credentials, region and endpoint.</summary>
    public static IAmazonS3 CreateClient(AwsContext aws, HttpMessageHandler? handler = null)
    {
        var config = aws.Configure(new AmazonS3Config
        {
            // S3 throttles (503 SlowDown) and drops connections under load: back off exponentially, for longer than the
            // SDK's default of three attempts, so Wren's own requests (code, records, inputs, outputs) ride it out. The
            // adaptive mode's rate limiter and the retry quota both refuse retries at once after a burst of faults; the
            // standard mode without the quota keeps backing off.
            RetryMode = RequestRetryMode.Standard,
            ThrottleRetries = false,
            MaxErrorRetry = MaxAttempts - 1,
        }, "S3");
        // An endpoint of one's own (moto, MinIO) has no bucket subdomains.
        if (aws.EndpointOverride("S3") is not null) config.ForcePathStyle = true;
        if (handler is not null) config.HttpClientFactory = new FixedHandlerFactory(handler);
        return new AmazonS3Client(aws.SdkCredentials(), config);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        try
        {
            if (data.Length > MultipartThreshold)
            {
                await PutInPartsAsync(key, data, cancellationToken).ConfigureAwait(false);
                return;
            }
            using var body = new ReadOnlyMemoryStream(data);
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = body, AutoCloseStream = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
    }

    public async Task PutAsync(string key, Stream data, CancellationToken cancellationToken = default)
    {
        // Up to the multipart threshold the object goes in one request; past it, part by part as the stream is read,
        // so at most one part is held in memory. A stream that knows its length is read into a buffer of that size.
        if (data.CanSeek && data.Length - data.Position <= MultipartThreshold)
        {
            byte[] whole = GC.AllocateUninitializedArray<byte>((int)(data.Length - data.Position));
            await data.ReadExactlyAsync(whole, cancellationToken).ConfigureAwait(false);
            await PutAsync(key, whole, cancellationToken).ConfigureAwait(false);
            return;
        }
        byte[] first = GC.AllocateUninitializedArray<byte>(MultipartThreshold + 1);
        int filled = await data.ReadAtLeastAsync(first, first.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (filled <= MultipartThreshold)
        {
            await PutAsync(key, first.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
            return;
        }
        InitiateMultipartUploadResponse upload;
        try
        {
            upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
        try
        {
            var etags = new List<PartETag>();
            byte[] part = GC.AllocateUninitializedArray<byte>(PartSize);
            int carried = filled;
            int offset = 0;
            while (true)
            {
                // The first read filled more than one part: send those bytes first, then read on.
                int length;
                if (carried > 0)
                {
                    length = Math.Min(PartSize, carried);
                    first.AsSpan(offset, length).CopyTo(part);
                    offset += length;
                    carried -= length;
                    if (length < PartSize) length += await data.ReadAtLeastAsync(part.AsMemory(length), PartSize - length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    length = await data.ReadAtLeastAsync(part, PartSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                }
                if (length == 0) break;
                using var body = new ReadOnlyMemoryStream(part.AsMemory(0, length));
                UploadPartResponse uploaded = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = etags.Count + 1,
                    InputStream = body,
                    PartSize = length,
                }, cancellationToken).ConfigureAwait(false);
                etags.Add(new PartETag(etags.Count + 1, uploaded.ETag));
                if (length < PartSize && carried == 0) break;
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = etags }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None).ConfigureAwait(false);
            if (e is AmazonS3Exception s3) throw Explain(s3, key);
            throw;
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        if (length == 0) return new MemoryStream([], writable: false);
        var request = new GetObjectRequest { BucketName = Bucket, Key = key };
        if (offset != 0 || length is not null)
            request.ByteRange = length is { } count ? new ByteRange(offset, offset + count - 1) : new ByteRange($"bytes={offset}-");
        GetObjectResponse response;
        try
        {
            response = await _s3.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new StorageNotFoundException(key, Describe);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
        return new BoundedStream(response.ResponseStream, response.ContentLength, response);
    }

    public async Task<StoredObject?> GetInfoAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            GetObjectMetadataResponse metadata = await _s3.GetObjectMetadataAsync(Bucket, key, cancellationToken).ConfigureAwait(false);
            return new StoredObject(key, metadata.ContentLength, ToOffset(metadata.LastModified), metadata.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
    }

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } value ? new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;

    private async Task PutInPartsAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        InitiateMultipartUploadResponse upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        try
        {
            int parts = (data.Length + PartSize - 1) / PartSize;
            var etags = new PartETag[parts];
            using var gate = new SemaphoreSlim(PartsInFlight);
            await Task.WhenAll(Enumerable.Range(0, parts).Select(async index =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    ReadOnlyMemory<byte> slice = data.Slice(index * PartSize, Math.Min(PartSize, data.Length - index * PartSize));
                    using var body = new ReadOnlyMemoryStream(slice);
                    UploadPartResponse part = await _s3.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = Bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = index + 1,
                        InputStream = body,
                        PartSize = slice.Length,
                    }, cancellationToken).ConfigureAwait(false);
                    etags[index] = new PartETag(index + 1, part.ETag);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = [.. etags],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<byte[]> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        var request = new GetObjectRequest { BucketName = Bucket, Key = key };
        if (offset != 0 || length is not null)
        {
            if (length == 0) return [];
            request.ByteRange = length is { } count ? new ByteRange(offset, offset + count - 1) : new ByteRange($"bytes={offset}-");
        }
        try
        {
            using GetObjectResponse response = await _s3.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            byte[] bytes = GC.AllocateUninitializedArray<byte>(checked((int)response.ContentLength));
            await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return bytes;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw new StorageNotFoundException(key, Describe);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
    }

    public async Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            GetObjectMetadataResponse metadata = await _s3.GetObjectMetadataAsync(Bucket, key, cancellationToken).ConfigureAwait(false);
            return metadata.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD of a missing object and of a missing bucket both say 404; tell them apart only when it matters.
            return null;
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        while (true)
        {
            ListObjectsV2Response response;
            try
            {
                response = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e)
            {
                throw Explain(e, prefix);
            }
            foreach (S3Object item in response.S3Objects ?? [])
                yield return new StoredObject(item.Key, item.Size ?? 0, ToOffset(item.LastModified), item.ETag);
            if (response.IsTruncated != true) yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            await _s3.DeleteObjectAsync(Bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, key);
        }
    }

    /// <summary>A URL that lets anyone holding it read the object until it expires (a Batch container fetches the worker so).</summary>
    public string PresignGet(string key, TimeSpan validFor) =>
        _s3.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = _time.GetUtcNow().UtcDateTime + validFor,
            Protocol = _s3.Config is AmazonS3Config { UseHttp: true } ? Amazon.S3.Protocol.HTTP : Amazon.S3.Protocol.HTTPS,
        });

    /// <summary>Checks that the bucket exists and is reachable with these credentials and this region.</summary>
    public async Task CheckReachableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e, "");
        }
        catch (AmazonServiceException e)
        {
            throw new WrenException($"Cannot reach bucket {Bucket}: {e.Message}", e);
        }
    }

    private WrenException Explain(AmazonS3Exception e, string key) => e.ErrorCode switch
    {
        "NoSuchBucket" => new WrenException($"Bucket {Bucket} does not exist (or not in {Region}): create it (`aws s3 mb s3://{Bucket} --region {Region}`) or choose another with `wren create-config --bucket`.", e),
        "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException" =>
            new WrenException($"Bucket {Bucket} is not in region {Region}{RegionHint(e)}: run `wren create-config --bucket {Bucket} --region <its region>`.", e),
        "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" =>
            new WrenException($"Access to s3://{Bucket}/{key} was denied ({e.ErrorCode}): check the AWS credentials, and that the role or user may use bucket {Bucket}; for Wren's workers, `wren create-role --data-bucket {Bucket}` grants it.", e),
        _ => new WrenException($"S3 failed on s3://{Bucket}/{key}: {e.ErrorCode}: {e.Message} (request {e.RequestId}).", e),
    };

    private static string RegionHint(AmazonS3Exception e) =>
        e.ResponseBody is { } body && body.IndexOf("<Region>", StringComparison.Ordinal) is var at and >= 0
            ? $" but in {body[(at + 8)..body.IndexOf("</Region>", at, StringComparison.Ordinal)]}"
            : "";

    public void Dispose()
    {
        if (_ownsClient) _s3.Dispose();
    }

    /// <summary>Hands the SDK one fixed handler (tests count requests through it).</summary>
    private sealed class FixedHandlerFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
    }
}
