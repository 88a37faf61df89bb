package org.loralab.kernel.magics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.loralab.kernel.JShellKernel;
import org.loralab.kernel.errors.MagicException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code %load FILE}: run a .jsh/.java file, or the code cells of a .ipynb notebook, in this kernel. */
public final class LoadMagic implements LineMagic<Object, JShellKernel> {

    @Override
    public Object eval(JShellKernel kernel, List<String> args) {
        if (args.size() != 1) {
            throw new MagicException("usage: %load FILE (a .jsh or .java file, or a .ipynb notebook)");
        }
        Path file = Path.of(args.get(0));
        if (!Files.isRegularFile(file)) {
            throw new MagicException("%load: no such file: " + file.toAbsolutePath());
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new MagicException("%load: cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!file.getFileName().toString().endsWith(".ipynb")) {
            return kernel.evalRaw(text);
        }
        Object last = null;
        for (String cell : codeCells(text, file)) {
            last = kernel.evalRaw(cell);
        }
        return last;
    }

    static List<String> codeCells(String notebookJson, Path file) {
        List<String> cells = new ArrayList<>();
        try {
            JsonObject notebook = JsonParser.parseString(notebookJson).getAsJsonObject();
            for (JsonElement element : notebook.getAsJsonArray("cells")) {
                JsonObject cell = element.getAsJsonObject();
                if (!"code".equals(cell.get("cell_type").getAsString())) {
                    continue;
                }
                JsonElement source = cell.get("source");
                if (source.isJsonArray()) {
                    StringBuilder sb = new StringBuilder();
                    for (JsonElement line : (JsonArray) source) {
                        sb.append(line.getAsString());
                    }
                    cells.add(sb.toString());
                } else {
                    cells.add(source.getAsString());
                }
            }
        } catch (RuntimeException e) {
            throw new MagicException("%load: " + file + " is not a readable notebook: " + e.getMessage(), e);
        }
        return cells;
    }
}
