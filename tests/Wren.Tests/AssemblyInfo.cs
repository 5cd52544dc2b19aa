[assembly: TestCollectionOrderer("Wren.Tests.Support.StartFirstOrderer", "Wren.Tests")]
