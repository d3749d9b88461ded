using BilevelDsl;
[BilevelModel]
public partial class SinToy
{
    public double A { get; init; }
    [UpperLevel] public double Upper(double x, double y) => (x - A) * (x - A) + (y - A) * (y - A);
    [LowerLevel] public double Lower(double x, double y) => Math.Sin(x + y);
}
