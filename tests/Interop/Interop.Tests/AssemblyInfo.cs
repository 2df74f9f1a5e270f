// One qemu guest at a time takes a whole core; the gateways of the test classes would only compete with it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
