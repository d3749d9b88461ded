using System;

namespace BilevelDsl.Generators.Diagnostics
{
    /// <summary>
    /// Test hook: lets tests make the front end throw while processing a chosen model, to prove that an
    /// exception becomes BDSL0012 and never escapes the generator or the analyzer. Null (inert) in products.
    /// </summary>
    internal static class FaultInjection
    {
        /// <summary>Given a model's type name, whether to throw while reading it (tests use a unique name, so
        /// tests running in parallel are unaffected).</summary>
        internal static Func<string, bool>? ThrowWhileReading;

        internal static void Check(string typeName)
        {
            if (ThrowWhileReading?.Invoke(typeName) == true)
            {
                throw new InvalidOperationException("fault injected while reading " + typeName);
            }
        }
    }
}
