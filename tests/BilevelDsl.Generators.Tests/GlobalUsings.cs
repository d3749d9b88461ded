// The generator, analyzer and TrackingNames live in BilevelDsl.Generators. The tests use their own root
// namespace (BilevelDsl.GeneratorTests) so that the generator's internal types, visible through
// InternalsVisibleTo, can never shadow a test type of the same name.
global using BilevelDsl.Generators;
