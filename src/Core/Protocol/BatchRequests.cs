using System.Buffers.Binary;
using Wren.Storage;

namespace Wren.Protocol;

/// <summary>
/// How a Batch submission's requests lie in storage: the envelopes back to back in one object, and beside it
/// (<c>key.index</c>) the little-endian 64-bit offset where each starts, plus the end. A child reads its own envelope
/// with one ranged GET.
/// </summary>
internal static class BatchRequests
{
    /// <summary>Writes the envelopes at <paramref name="key"/> and their offsets at key.index.</summary>
    public static async Task WriteAsync(IObjectStorage storage, string key, IReadOnlyList<byte[]> envelopes, CancellationToken cancellationToken)
    {
        var offsets = new byte[(envelopes.Count + 1) * 8];
        long at = 0;
        for (int i = 0; i < envelopes.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(i * 8), at);
            at += envelopes[i].Length;
        }
        BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(envelopes.Count * 8), at);
        byte[] all = new byte[at];
        long position = 0;
        foreach (byte[] envelope in envelopes)
        {
            envelope.CopyTo(all, position);
            position += envelope.Length;
        }
        await storage.PutAsync(key, all, cancellationToken).ConfigureAwait(false);
        await storage.PutAsync(key + ".index", offsets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The envelope of chunk <paramref name="index"/>; a <see cref="WrenException"/> when there is no such chunk.</summary>
    public static async Task<byte[]> ReadAsync(IObjectStorage storage, string key, int index, CancellationToken cancellationToken)
    {
        byte[] offsets = await storage.GetAsync(key + ".index", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (index < 0 || (index + 2) * 8 > offsets.Length)
            throw new WrenException($"Array index {index} is beyond the {offsets.Length / 8 - 1} chunks of {key}.");
        long start = BinaryPrimitives.ReadInt64LittleEndian(offsets.AsSpan(index * 8));
        long end = BinaryPrimitives.ReadInt64LittleEndian(offsets.AsSpan((index + 1) * 8));
        return await storage.GetAsync(key, start, end - start, cancellationToken).ConfigureAwait(false);
    }
}
