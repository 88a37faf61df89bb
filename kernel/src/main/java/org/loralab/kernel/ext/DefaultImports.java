package org.loralab.kernel.ext;

import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * The imports every cell starts with, including the IJava/JJava notebook statics
 * ({@code display}, {@code render}, {@code updateDisplay}, {@code printf}, {@code eval}).
 */
public final class DefaultImports implements Extension {

    static final String IMPORTS = String.join("\n",
            "import java.util.*;",
            "import java.util.function.*;",
            "import java.util.stream.*;",
            "import java.util.concurrent.*;",
            "import java.util.regex.*;",
            "import java.io.*;",
            "import java.math.*;",
            "import java.net.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import static org.dflib.jjava.jupyter.kernel.BaseNotebookStatics.*;");

    @Override
    public void install(BaseKernel kernel) {
        kernel.evalRaw(IMPORTS);
    }
}
