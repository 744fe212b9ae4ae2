using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Embeddings.Core.Tests.Abstractions;

public sealed class EmbeddingInputKindTests
{
    [Fact]
    public void WithInputKind_copies_the_options_and_GetInputKind_reads_it_back()
    {
        var original = new EmbeddingGenerationOptions { ModelId = "m", Dimensions = 64 };
        EmbeddingGenerationOptions query = original.WithInputKind(EmbeddingInputKind.Query);

        Assert.NotSame(original, query);
        Assert.Equal(EmbeddingInputKind.Unspecified, original.GetInputKind());
        Assert.Equal(EmbeddingInputKind.Query, query.GetInputKind());
        Assert.Equal("m", query.ModelId);
        Assert.Equal(64, query.Dimensions);
        Assert.Equal(EmbeddingInputKind.Document, query.WithInputKind(EmbeddingInputKind.Document).GetInputKind());
        Assert.Equal(EmbeddingInputKind.Query, query.GetInputKind());
        Assert.Equal(EmbeddingInputKind.Unspecified, ((EmbeddingGenerationOptions?)null).GetInputKind());
        Assert.Equal(EmbeddingInputKind.Document, ((EmbeddingGenerationOptions?)null).WithInputKind(EmbeddingInputKind.Document).GetInputKind());
        Assert.Throws<ArgumentOutOfRangeException>(() => original.WithInputKind((EmbeddingInputKind)7));
    }

    [Fact]
    public void The_kind_survives_a_json_round_trip_of_the_options()
    {
        EmbeddingGenerationOptions options = new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document);
        string json = JsonSerializer.Serialize(options, AIJsonUtilities.DefaultOptions);
        EmbeddingGenerationOptions back = JsonSerializer.Deserialize<EmbeddingGenerationOptions>(json, AIJsonUtilities.DefaultOptions)!;
        Assert.Equal(EmbeddingInputKind.Document, back.GetInputKind());
    }

    [Theory]
    [InlineData("query", EmbeddingInputKind.Query)]
    [InlineData("DOCUMENT", EmbeddingInputKind.Document)]
    public void Kinds_set_by_hand_as_text_or_enum_are_read(string text, EmbeddingInputKind expected)
    {
        var byText = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingGenerationOptionsExtensions.InputKindKey] = text } };
        var byEnum = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingGenerationOptionsExtensions.InputKindKey] = expected } };
        Assert.Equal(expected, byText.GetInputKind());
        Assert.Equal(expected, byEnum.GetInputKind());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("passage")]
    [InlineData(42)]
    public void A_value_that_is_not_a_kind_is_a_clear_error(object value)
    {
        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingGenerationOptionsExtensions.InputKindKey] = value } };
        ArgumentException error = Assert.Throws<ArgumentException>(() => options.GetInputKind());
        Assert.Contains(EmbeddingGenerationOptionsExtensions.InputKindKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(value.ToString()!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prompts_pick_the_prefix_for_each_kind()
    {
        var nomic = new EmbeddingPrompts("search_query: ", "search_document: ");
        Assert.Equal("search_query: x", nomic.Apply("x", EmbeddingInputKind.Query));
        Assert.Equal("search_document: x", nomic.Apply("x", EmbeddingInputKind.Document));
        Assert.Equal("x", nomic.Apply("x", EmbeddingInputKind.Unspecified));
        Assert.Equal("x", EmbeddingPrompts.None.Apply("x", EmbeddingInputKind.Query));
        Assert.Throws<ArgumentNullException>(() => nomic.Apply(null!, EmbeddingInputKind.Query));
        Assert.Throws<ArgumentOutOfRangeException>(() => nomic.For((EmbeddingInputKind)9));
    }

    [Fact]
    public void Input_validation_returns_the_list_or_names_the_problem()
    {
        string[] inputs = ["a", ""];
        Assert.Same(inputs, EmbeddingInputs.Validate(inputs));
        Assert.Equal(["x", "y"], EmbeddingInputs.Validate(new[] { "x", "y" }.Where(_ => true)));
        Assert.Throws<ArgumentNullException>(() => EmbeddingInputs.Validate(null!));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => EmbeddingInputs.Validate([])).Message, StringComparison.Ordinal);
        Assert.Contains("Input 0", Assert.Throws<ArgumentException>(() => EmbeddingInputs.Validate([null!])).Message, StringComparison.Ordinal);
    }
}
