package org.loralab.ext.render;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;
import tech.tablesaw.io.html.HtmlWriter;

/**
 * Any Tablesaw table as HTML (tablesaw-html, text escaped), capped at a row count with an "N more rows" line,
 * floating-point cells shown with four significant digits.
 */
public final class TableHtml {
    /** Rows shown by default; change with {@link #setDefaultMaxRows}. */
    private static volatile int defaultMaxRows = 50;

    private TableHtml() {}

    public static int defaultMaxRows() {
        return defaultMaxRows;
    }

    public static void setDefaultMaxRows(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("max rows must be > 0, got " + rows);
        }
        defaultMaxRows = rows;
    }

    public static String render(Table table) {
        return render(table, defaultMaxRows);
    }

    public static String render(Table table, int maxRows) {
        int rows = table.rowCount();
        Table shown = ShortNumbers.apply(rows > maxRows ? table.first(maxRows) : table.copy());
        StringWriter w = new StringWriter();
        try {
            new HtmlWriter().write(shown, HtmlWriteOptions.builder(w).escapeText(true).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder html = new StringBuilder("<div class=\"loralab-table\">");
        if (table.name() != null && !table.name().isEmpty()) {
            html.append("<p><b>").append(Html.escape(table.name())).append("</b> (")
                    .append(rows).append(rows == 1 ? " row" : " rows").append(")</p>");
        }
        html.append(w);
        if (rows > maxRows) {
            int more = rows - maxRows;
            html.append("<p>").append(more).append(more == 1 ? " more row" : " more rows").append("</p>");
        }
        return html.append("</div>").toString();
    }
}
