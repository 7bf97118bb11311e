package dev.consilium.runtime.datasets;

/**
 * Column-by-column working for addition and subtraction, right to left, one column per step:
 * {@code 537 + 86} is {@code "7+6=13 3+8+1=12 5+0+1=6"} and {@code 537 - 86} is {@code "7-6=1 13-8=5 4-0=4"}
 * (a subtraction column shows its top digit after the borrow it gave, plus ten when it borrows). Each step
 * is one single-digit operation, which a small model learns reliably: the demo judge writes this working
 * before its verdict, so it can check multi-digit answers it could not compute in one step.
 */
public final class ColumnArithmetic {
    private ColumnArithmetic() {}

    /** The working for {@code a + b} or {@code a - b} (a >= b >= 0). */
    public static String working(int a, int b, boolean add) {
        int columns = Math.max(Integer.toString(a).length(), Integer.toString(b).length());
        StringBuilder out = new StringBuilder();
        int carry = 0;
        for (int i = 0, x = a, y = b; i < columns; i++, x /= 10, y /= 10) {
            int da = x % 10, db = y % 10;
            if (i > 0) out.append(' ');
            if (add) {
                int s = da + db + carry;
                out.append(da).append('+').append(db).append(carry > 0 ? "+1" : "").append('=').append(s);
                carry = s / 10;
            } else {
                int top = da - carry;
                carry = top < db ? 1 : 0;
                top += 10 * carry;
                out.append(top).append('-').append(db).append('=').append(top - db);
            }
        }
        return out.toString();
    }
}
