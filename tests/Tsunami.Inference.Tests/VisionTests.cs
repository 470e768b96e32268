namespace Tsunami.Inference.Tests;

public sealed class VisionTests(RealModels models) : IClassFixture<RealModels>
{
    [Fact]
    public async Task Dog_jpg_shows_a_dog_a_bicycle_and_a_car_or_truck()
    {
        var found = await models.Objects.DetectAsync(models.Load("darknet/dog.jpg"));
        Assert.Contains(found, d => d.Label == "dog" && d.Score > 0.7);
        Assert.Contains(found, d => d.Label == "bicycle" && d.Score > 0.7);
        Assert.Contains(found, d => d.Label is "car" or "truck" && d.Score > 0.5);
        Assert.DoesNotContain(found, d => d.Label == "cat");
        var dog = found.First(d => d.Label == "dog");
        // The dog sits in the lower left of the 768×576 photo.
        Assert.InRange(dog.Box.X + (dog.Box.Width / 2), 150, 400);
        Assert.InRange(dog.Box.Y + (dog.Box.Height / 2), 300, 500);
    }

    [Fact]
    public async Task Horses_jpg_shows_several_horses()
    {
        var found = await models.Objects.DetectAsync(models.Load("darknet/horses.jpg"));
        Assert.InRange(found.Count(d => d.Label == "horse"), 3, 6);
    }

    [Theory]
    [InlineData("darknet/giraffe.jpg", "giraffe")]
    [InlineData("darknet/person.jpg", "person")]
    [InlineData("darknet/eagle.jpg", "bird")]
    public async Task Real_photos_show_their_object(string sample, string label) =>
        Assert.Contains(await models.Objects.DetectAsync(models.Load(sample)), d => d.Label == label && d.Score > 0.6);

    [Theory]
    [InlineData("darknet/dog.jpg", "malamute")]
    [InlineData("darknet/eagle.jpg", "bald eagle")]
    [InlineData("skimage/chelsea.png", "Egyptian cat")]
    [InlineData("skimage/coffee.png", "espresso")]
    public async Task The_classifier_names_real_photos(string sample, string label)
    {
        var result = (await models.Classifier.ClassifyAsync([models.Load(sample)]))[0];
        Assert.Equal(label, result.Labels[0].Name);
        Assert.Equal(1, Math.Sqrt(result.Embedding.Sum(v => v * v)), 3);
    }

    [Fact]
    public async Task A_batch_gives_the_same_answers_as_single_calls()
    {
        var images = new[] { "darknet/dog.jpg", "darknet/eagle.jpg", "skimage/coffee.png" }.Select(models.Load).ToList();
        var batch = await models.Classifier.ClassifyAsync(images);
        for (var i = 0; i < images.Count; i++)
        {
            var single = (await models.Classifier.ClassifyAsync([images[i]]))[0];
            Assert.Equal(single.Labels[0].Name, batch[i].Labels[0].Name);
            Assert.Equal(single.Labels[0].Score, batch[i].Labels[0].Score, 3);
        }
    }

    [Theory]
    [InlineData("skimage/astronaut.png", 1)]
    [InlineData("opencv/messi5.jpg", 1)]
    [InlineData("darknet/dog.jpg", 0)]
    [InlineData("skimage/chelsea.png", 0)]
    public async Task Faces_are_found_and_counted(string sample, int faces)
    {
        var found = await models.Faces.DetectAsync(models.Load(sample));
        Assert.Equal(faces, found.Count);
        Assert.All(found, f => Assert.Equal(10, f.Landmarks.Length));
    }

    [Fact]
    public void WordNet_generalises_labels()
    {
        var malamute = models.WordNet.Read("n02110063");
        Assert.Equal("malamute", malamute.Name);
        var ancestors = models.WordNet.Ancestors("n02110063").Select(s => s.Name).ToList();
        Assert.Contains("dog", ancestors);
        Assert.Contains("canine", ancestors);
        Assert.Contains("animal", ancestors);
        Assert.Equal("entity", ancestors[^1]);
        Assert.True(ancestors.IndexOf("dog") < ancestors.IndexOf("animal"));

        var pickup = models.WordNet.Ancestors("n03930630").Select(s => s.Name).ToList();
        Assert.Contains("truck", pickup);
        Assert.Contains("motor vehicle", pickup);
        Assert.Contains("vehicle", pickup);
    }
}
