namespace Embeddings.Onnx;

/// <summary>How far the download of one file has got.</summary>
/// <param name="File">The file's path in the repository, for example <c>onnx/model.onnx</c>.</param>
/// <param name="BytesReceived">The bytes on disk so far, a resumed part included.</param>
/// <param name="TotalBytes">The file's size, or <see langword="null"/> when the server does not say.</param>
public readonly record struct ModelDownloadProgress(string File, long BytesReceived, long? TotalBytes);
