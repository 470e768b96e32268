using Tsunami.Query.Parsing;
using Tsunami.Query.Plan;

namespace Tsunami.Query.Tests;

public sealed class QuestionParserTests
{
    // A Tuesday.
    private static readonly DateTimeOffset Now = new(2025, 3, 18, 15, 30, 0, TimeSpan.Zero);

    private static readonly QuestionContext Context = new(Now)
    {
        Collections = ["inspections", "north-yard"],
        TagKeys = ["site", "crew"],
    };

    private static QueryPlan Parse(string question) => QuestionParser.Parse(question, Context);

    private static DateTimeOffset Day(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("photos with a dog", "dog")]
    [InlineData("pictures of vehicles", "vehicles")]
    [InlineData("show me images of a fire truck", "fire truck")]
    [InlineData("animals with a long neck", "animals|long neck")]
    [InlineData("a person riding a horse", "person|horse")]
    public void Things_are_the_words_left_between_fillers_and_relations(string question, string expected)
    {
        var plan = Parse(question);
        Assert.Equal(expected.Split('|'), plan.Things.Select(t => t.Phrase));
        Assert.All(plan.Things, t => Assert.False(t.Negated));
        Assert.False(plan.AsksCount);
    }

    [Theory]
    [InlineData("photos with more than 3 people", "people", 4, int.MaxValue)]
    [InlineData("photos with exactly one truck", "truck", 1, 1)]
    [InlineData("pictures with at least two dogs", "dogs", 2, int.MaxValue)]
    [InlineData("photos with fewer than 3 people", "people", 1, 2)]
    [InlineData("photos with 5+ cars", "cars", 5, int.MaxValue)]
    [InlineData("photos with three horses", "horses", 3, 3)]
    [InlineData("photos with a single truck", "truck", 1, 1)]
    public void Counts_bound_the_number_of_a_thing(string question, string thing, int min, int max)
    {
        var term = Assert.Single(Parse(question).Things);
        Assert.Equal(thing, term.Phrase);
        Assert.Equal(new CountRange(min, max), term.Count);
    }

    [Fact]
    public void How_many_asks_for_a_count()
    {
        var plan = Parse("how many photos show horses");
        Assert.True(plan.AsksCount);
        Assert.Equal("horses", Assert.Single(plan.Things).Phrase);
    }

    [Theory]
    [InlineData("photos with the text HIGH VOLTAGE", "HIGH VOLTAGE")]
    [InlineData("pictures with the text \"HIGH VOLTAGE\" from site 12", "HIGH VOLTAGE")]
    [InlineData("labels that say 42", "42")]
    [InlineData("photos with the text HIGH VOLTAGE taken yesterday", "HIGH VOLTAGE")]
    [InlineData("signs reading 'keep out'", "keep out")]
    [InlineData("photos with “DANGER”", "DANGER")]
    public void Text_in_the_photo_quoted_or_not(string question, string text)
    {
        var plan = Parse(question);
        Assert.Equal(text, Assert.Single(plan.Texts).Text);
        Assert.Empty(plan.Things);
    }

    [Fact]
    public void Negations_exclude_things_and_text()
    {
        var plan = Parse("photos of trucks without people");
        Assert.Equal([new ThingTerm("people", Negated: true), new ThingTerm("trucks")], plan.Things.OrderBy(t => t.Phrase));

        var lack = Parse("inspection photos that lack a warning sign");
        Assert.Equal(new ThingTerm("warning sign", Negated: true), Assert.Single(lack.Things));

        var text = Parse("photos without the text DANGER");
        Assert.True(Assert.Single(text.Texts).Negated);

        var none = Parse("photos with no people");
        Assert.Equal(new ThingTerm("people", Negated: true), Assert.Single(none.Things));
    }

    [Theory]
    [InlineData("photos taken yesterday", 2025, 3, 17, 2025, 3, 18)]
    [InlineData("photos taken today", 2025, 3, 18, 2025, 3, 19)]
    [InlineData("trucks last week", 2025, 3, 10, 2025, 3, 17)]
    [InlineData("photos this week", 2025, 3, 17, 2025, 3, 24)]
    [InlineData("photos in March 2025", 2025, 3, 1, 2025, 4, 1)]
    [InlineData("photos in April", 2024, 4, 1, 2024, 5, 1)]
    [InlineData("photos in 2024", 2024, 1, 1, 2025, 1, 1)]
    [InlineData("between 2024-01-01 and 2024-02-15", 2024, 1, 1, 2024, 2, 16)]
    [InlineData("photos from 3 March 2025 to March 5, 2025", 2025, 3, 3, 2025, 3, 6)]
    [InlineData("photos on 2025-02-28", 2025, 2, 28, 2025, 3, 1)]
    [InlineData("photos in the last 7 days", 2025, 3, 12, 2025, 3, 19)]
    [InlineData("photos last month", 2025, 2, 1, 2025, 3, 1)]
    public void Time_is_relative_to_now(string question, int y1, int m1, int d1, int y2, int m2, int d2)
    {
        var time = Parse(question).Time;
        Assert.NotNull(time);
        Assert.Equal(Day(y1, m1, d1), time.From);
        Assert.Equal(Day(y2, m2, d2), time.To);
    }

    [Fact]
    public void Before_and_since_are_open_ended()
    {
        Assert.Equal(DateTimeOffset.MinValue, Parse("photos before 2024-06-01").Time!.From);
        Assert.Equal(Day(2024, 6, 1), Parse("photos before 2024-06-01").Time!.To);
        Assert.Equal(Day(2024, 6, 1), Parse("photos since 2024-06-01").Time!.From);
        Assert.Equal(DateTimeOffset.MaxValue, Parse("photos since 2024-06-01").Time!.To);
    }

    [Fact]
    public void Places_tags_and_collections()
    {
        var plan = Parse("photos with a truck from site 12 last week");
        Assert.Equal(new TagTerm("site", "12"), Assert.Single(plan.Tags));
        Assert.Equal("truck", Assert.Single(plan.Things).Phrase);
        Assert.NotNull(plan.Time);

        Assert.Equal(new GeoCircle(40.41, -3.70, 1), Parse("photos near 40.41,-3.70").Near);
        Assert.Equal(new GeoCircle(40.41, -3.7, 5), Parse("photos within 5 km of 40.41, -3.7").Near);
        Assert.Equal(new GeoCircle(40.41, -3.7, 0.5), Parse("near 40.41,-3.7 within 500 m").Near);

        Assert.Equal("north-yard", Parse("blurry photos in north-yard").Collection);
        Assert.Equal(new TagTerm("crew", "b"), Assert.Single(Parse("photos with crew=B").Tags));
        Assert.Equal(new TagTerm("site", "12", Negated: true), Assert.Single(Parse("dogs not from site 12").Tags));
    }

    [Theory]
    [InlineData("blurry photos", "blurry", false)]
    [InlineData("out of focus pictures", "blurry", false)]
    [InlineData("sharp photos", "blurry", true)]
    [InlineData("dark photos from yesterday", "dark", false)]
    [InlineData("overexposed shots", "overexposed", false)]
    [InlineData("low-res photos", "low-resolution", false)]
    [InlineData("photos that are not blurry", "blurry", true)]
    public void Quality_flags(string question, string flag, bool negated)
    {
        var plan = Parse(question);
        Assert.Equal(new QualityTerm(flag, negated), Assert.Single(plan.Quality));
        Assert.Empty(plan.Things);
    }

    [Fact]
    public void Similarity_to_an_asset()
    {
        var plan = Parse("photos like 3f2a9c1d");
        Assert.Equal("3f2a9c1d", plan.SimilarTo);
        Assert.Empty(plan.Things);
    }

    [Fact]
    public void Everything_together_and_explained()
    {
        var plan = Parse("how many photos from site 12 show more than 3 people without a truck, taken in March 2025, with the text DANGER");
        Assert.True(plan.AsksCount);
        Assert.Equal([new ThingTerm("people", Count: new CountRange(4, int.MaxValue)), new ThingTerm("truck", Negated: true)], plan.Things.OrderBy(t => t.Phrase));
        Assert.Equal("DANGER", Assert.Single(plan.Texts).Text);
        Assert.Equal(Day(2025, 3, 1), plan.Time!.From);
        Assert.Single(plan.Tags);
        var explain = plan.Explain();
        Assert.Contains("thing: \"people\" count at least 4", explain, StringComparison.Ordinal);
        Assert.Contains("thing: NOT \"truck\"", explain, StringComparison.Ordinal);
        Assert.Contains("tag: site=12", explain, StringComparison.Ordinal);
    }

    [Fact]
    public void Stray_numbers_are_reported_not_guessed()
    {
        var plan = Parse("photos 4711 with a dog");
        Assert.Equal(["4711"], plan.Ignored);
        Assert.Equal("dog", Assert.Single(plan.Things).Phrase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_question_is_refused(string question) =>
        Assert.Contains("empty", Assert.Throws<QuestionException>(() => Parse(question)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_date_that_is_no_date_is_named()
    {
        var error = Assert.Throws<QuestionException>(() => Parse("photos on 2025-13-45"));
        Assert.Contains("2025-13-45", error.Message, StringComparison.Ordinal);
        Assert.Throws<QuestionException>(() => Parse("photos near 140.5,10"));
    }

    [Fact]
    public void Nonsense_yields_only_things_to_look_up_and_nothing_else()
    {
        var plan = Parse("?? !! --- ;;");
        Assert.True(plan.IsEmpty);
        var words = Parse("zxqv blorf");
        Assert.Equal(["zxqv blorf"], words.Things.Select(t => t.Phrase));
    }
}
