using Microsoft.Extensions.Configuration;
using Polly;

namespace Embeddings.PgVector.Tests;

/// <summary>The retry settings carry Polly v8's names; the old <c>BaseDelay</c> still binds and forwards to <c>Delay</c>.</summary>
public sealed class PgVectorRetryOptionsTests
{
    [Fact]
    public void A_configuration_section_with_Polly_names_binds_every_retry_setting()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retry:MaxRetryAttempts"] = "5",
            ["Retry:Delay"] = "00:00:00.050",
            ["Retry:BackoffType"] = "Linear",
            ["Retry:MaxDelay"] = "00:00:02",
            ["Retry:UseJitter"] = "false",
        }).Build();
        var options = new PgVectorIndexOptions();
        configuration.Bind(options);

        Assert.Equal(5, options.Retry.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Retry.Delay);
        Assert.Equal(DelayBackoffType.Linear, options.Retry.BackoffType);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Retry.MaxDelay);
        Assert.False(options.Retry.UseJitter);
    }

    [Fact]
    public void The_old_BaseDelay_name_still_binds_and_sets_Delay()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retry:BaseDelay"] = "00:00:00.075",
        }).Build();
        var options = new PgVectorIndexOptions();
        configuration.Bind(options);

        Assert.Equal(TimeSpan.FromMilliseconds(75), options.Retry.Delay);
#pragma warning disable CS0618 // the forwarding property is what is under test
        options.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        Assert.Equal(options.Retry.Delay, options.Retry.BaseDelay);
#pragma warning restore CS0618
        Assert.Equal(TimeSpan.FromSeconds(1), options.Retry.Delay);
    }

    [Fact]
    public void An_undefined_backoff_type_is_refused_when_the_index_is_built()
    {
        var options = new PgVectorIndexOptions { Dimensions = 4 };
        options.Retry.BackoffType = (DelayBackoffType)42;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => PgVectorIndex.GetMigrationScript(options));
        Assert.Contains("backoff", ex.Message, StringComparison.Ordinal);
    }
}
