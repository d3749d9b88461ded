namespace BilevelDsl.Generators
{
    /// <summary>Names of the incremental pipeline steps, for step-tracking tests.</summary>
    public static class TrackingNames
    {
        /// <summary>The lowered model (output of the ForAttributeWithMetadataName transform).</summary>
        public const string Model = "BilevelModel";

        /// <summary>The emitted kernel source of a model.</summary>
        public const string Kernels = "BilevelKernels";
    }
}
