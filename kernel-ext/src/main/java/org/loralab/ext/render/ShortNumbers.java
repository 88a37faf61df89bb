package org.loralab.ext.render;

import java.math.BigDecimal;
import java.math.MathContext;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Shows floating-point cells with four significant digits (0.1819, 12.85, 1.234E-8) instead of Java's full
 * {@code Double.toString}, which makes report tables unreadable. Only the display copy is changed; the
 * user's table keeps its values and formatters.
 */
final class ShortNumbers extends NumberColumnFormatter {
    private static final MathContext DIGITS = new MathContext(4);
    private static final ShortNumbers INSTANCE = new ShortNumbers();

    private ShortNumbers() {}

    /** Sets the formatter on every double/float column of {@code displayCopy}. */
    static Table apply(Table displayCopy) {
        for (Column<?> c : displayCopy.columns()) {
            String type = c.type().name();
            if (c instanceof NumberColumn && ("DOUBLE".equals(type) || "FLOAT".equals(type))) {
                ((NumberColumn<?, ?>) c).setPrintFormatter(INSTANCE);
            }
        }
        return displayCopy;
    }

    static String format4(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        BigDecimal d = new BigDecimal(v).round(DIGITS);
        return a >= 1e-4 && a < 1e7 ? d.stripTrailingZeros().toPlainString() : d.stripTrailingZeros().toString();
    }

    @Override
    public String format(double value) {
        return format4(value);
    }

    @Override
    public String format(float value) {
        return format4(value);
    }
}
