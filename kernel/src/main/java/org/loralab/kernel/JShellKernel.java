package org.loralab.kernel;

import jdk.jshell.JShell;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.CompleteRequest;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.request.InspectRequest;
import org.dflib.jjava.jupyter.messages.request.IsCompleteRequest;
import org.dflib.jjava.jupyter.messages.request.ShutdownRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.loralab.kernel.channels.KernelChannels;
import org.loralab.kernel.errors.ErrorReport;
import org.loralab.kernel.errors.UnknownMagicException;
import org.loralab.kernel.exec.CellEvaluator;
import org.loralab.kernel.exec.CellRunner;
import org.loralab.kernel.exec.CodeAssist;
import org.loralab.kernel.exec.InProcessExecutionControl;
import org.loralab.kernel.exec.SnippetLoaderDelegate;
import org.loralab.kernel.history.InMemoryHistory;
import org.loralab.kernel.magics.ClasspathGlobs;
import org.loralab.kernel.magics.MagicArgs;
import org.loralab.kernel.magics.TimeMagic;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * A Jupyter kernel for Java: JShell with in-process execution on jjava-jupyter 1.0-a6.
 * Magic lines ({@code %name args}) run in the kernel between the Java snippets of a cell, in order.
 */
public final class JShellKernel extends BaseKernel {

    private final KernelIO kernelIO;
    private final InMemoryHistory history;
    private final JShell shell;
    private final InProcessExecutionControl control;
    private final SnippetLoaderDelegate delegate;
    private final CellEvaluator evaluator;
    private final CodeAssist assist;
    private final MagicLines magicLines;
    /** Opens when start-up (imports, extensions, classpath setting) is over; requests that use JShell wait for it. */
    private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    /** Where cells' System.out/err and display() go (by the thread that writes). */
    private final CellOutput output = new CellOutput(System.out, System.err);
    /** The kernel's sockets when it runs over ZMQ (null when embedded or in tests). */
    private volatile KernelChannels channels;
    /** Nesting of evalRaw (magics such as %load evaluate code inside a cell). */
    private final java.util.concurrent.atomic.AtomicInteger evalDepth = new java.util.concurrent.atomic.AtomicInteger();

    JShellKernel(String version, LanguageInfo languageInfo, List<HelpLink> helpLinks, InMemoryHistory history,
                 KernelIO io, MagicParser magicParser, MagicsRegistry magics, boolean extensionsEnabled,
                 JShell shell, InProcessExecutionControl control, SnippetLoaderDelegate delegate) {
        super("loralab", version, languageInfo, helpLinks, history, io, new CommManager(), new Renderer(),
                magicParser, magics, extensionsEnabled, new StringStyler.Builder().build());
        this.kernelIO = io;
        this.history = history;
        this.shell = shell;
        this.control = control;
        this.delegate = delegate;
        this.evaluator = new CellEvaluator(shell, control, delegate);
        this.assist = new CodeAssist(shell, magics::getLineMagicNames, magics::getCellMagicNames);
        this.magicLines = new MagicLines(magics::getLineMagicNames, assist);
    }

    /** Wires the kernel to its sockets (Main): output is flushed to IOPub before each execute reply. */
    public void useChannels(KernelChannels channels) {
        this.channels = channels;
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Runs start-up on a background thread so kernel_info is answered while JShell warms up. JShell is not
     * thread-safe: execute, complete, inspect and is_complete requests wait until ALL of start-up is done.
     */
    public void startInBackground(Runnable startup) {
        Thread t = new Thread(() -> {
            try {
                CellRunner.asKernelWork(startup);
            } catch (Throwable e) {
                System.err.println("loralab kernel: start-up failed: " + e);
            } finally {
                started.countDown();
            }
        }, "loralab-startup");
        t.setDaemon(true);
        t.start();
    }

    /** Marks start-up as done when it ran on the caller's thread (tests, embedding). */
    public void startedInForeground() {
        started.countDown();
    }

    private void awaitStarted() {
        boolean interrupted = false;
        while (true) {
            try {
                started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void handleCompleteRequest(ShellReplyEnvironment env, Message<CompleteRequest> message) {
        awaitStarted();
        super.handleCompleteRequest(env, message);
    }

    @Override
    protected void handleInspectRequest(ShellReplyEnvironment env, Message<InspectRequest> message) {
        awaitStarted();
        super.handleInspectRequest(env, message);
    }

    @Override
    protected void handleIsCodeCompeteRequest(ShellReplyEnvironment env, Message<IsCompleteRequest> message) {
        awaitStarted();
        super.handleIsCodeCompeteRequest(env, message);
    }

    /** A shutdown that arrives during start-up waits for it, rather than closing JShell under its feet. */
    @Override
    protected void handleShutdownRequest(ShellReplyEnvironment env, Message<ShutdownRequest> message) {
        awaitStarted();
        super.handleShutdownRequest(env, message);
    }

    // ------------------------------------------------------------------ evaluation

    /** Runs a cell: Java snippets and magic lines in order. Never lets an Error escape (it would kill Shell-0). */
    @Override
    public Object evalRaw(String code) {
        CellRunner runner = control.runner();
        // outside an execute request (tests, embedding, extensions at start-up) this call is the cell
        boolean ownCell = evalDepth.getAndIncrement() == 0 && !runner.isCellActive() && !CellRunner.onWorkerThread()
                && !CellRunner.isKernelWork();
        if (ownCell) {
            runner.beginCell(null);
            evaluator.startCell();
        }
        try {
            return runCell(code);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new RuntimeException(t.toString(), t);
        } finally {
            evalDepth.decrementAndGet();
            if (ownCell) {
                runner.endCell();
            }
        }
    }

    private Object runCell(String code) throws Exception {
        String trimmed = code.stripLeading();
        if (trimmed.startsWith("%%")) {
            int eol = trimmed.indexOf('\n');
            String header = (eol < 0 ? trimmed : trimmed.substring(0, eol)).substring(2).strip();
            String body = eol < 0 ? "" : trimmed.substring(eol + 1);
            String name = header.split("\\s+", 2)[0];
            String argText = header.substring(name.length()).strip();
            if (name.equals("time")) {
                return TimeMagic.timed(this, body);
            }
            requireKnown(name, true);
            return runMagic("%%" + name, () -> magicsRegistry.evalCellMagic(this, name, MagicArgs.split(argText), body));
        }
        Object last = CellEvaluator.NO_VALUE;
        StringBuilder pending = new StringBuilder();
        for (String line : code.split("(?<=\n)")) {
            String stripped = line.strip();
            if (magicLines.isMagicLine(stripped, pending)) {
                if (!pending.toString().isBlank()) {
                    last = evaluator.eval(pending.toString());
                }
                pending.setLength(0);
                last = runLineMagic(stripped.substring(1));
            } else {
                pending.append(line);
            }
        }
        if (!pending.toString().isBlank()) {
            last = evaluator.eval(pending.toString());
        }
        return last == CellEvaluator.NO_VALUE ? null : last;
    }

    private Object runLineMagic(String text) throws Exception {
        String name = text.split("\\s+", 2)[0];
        String argText = text.substring(name.length()).strip();
        if (name.equals("time")) {
            return TimeMagic.timed(this, argText);
        }
        requireKnown(name, false);
        Object result = runMagic("%" + name, () -> magicsRegistry.evalLineMagic(this, name, MagicArgs.split(argText)));
        return result == null ? CellEvaluator.NO_VALUE : result;
    }

    private Object runMagic(String name, java.util.concurrent.Callable<Object> magic) throws Exception {
        return MagicExecution.run(control.runner(), name, magic);
    }

    private void requireKnown(String name, boolean cell) {
        TreeSet<String> known = new TreeSet<>(cell ? magicsRegistry.getCellMagicNames()
                : magicsRegistry.getLineMagicNames());
        if (!known.contains(name)) {
            String prefix = cell ? "%%" : "%";
            throw new UnknownMagicException("unknown magic " + prefix + name + "; known: "
                    + (known.isEmpty() ? "(none)" : prefix + String.join(", " + prefix, known)));
        }
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        try {
            return assist.inspect(code, at);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new RuntimeException(t.toString(), t);
        }
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        try {
            return assist.complete(code, at);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new RuntimeException(t.toString(), t);
        }
    }

    @Override
    public String isComplete(String code) {
        try {
            return assist.isComplete(code);
        } catch (Throwable t) {
            return IS_COMPLETE_MAYBE;
        }
    }

    /** Stops the running cell; only its worker thread is touched (never a thread that uses a socket). */
    @Override
    public void interrupt() {
        control.interrupt();
    }

    /** display() from a cell or its threads goes to that cell. */
    @Override
    public void display(DisplayData data) {
        if (!output.display(data)) {
            super.display(data);
        }
    }

    /** Cells write to the routing streams for the whole session (never restored: old threads keep them too). */
    @Override
    protected void replaceOutputStreams(ShellReplyEnvironment env) {
        System.setOut(output.out);
        System.setErr(output.err);
        System.setIn(getIO().in);
    }

    @Override
    public List<String> formatError(Throwable e) {
        return ErrorReport.of(e).traceback();
    }

    // ------------------------------------------------------------------ classpath and extensions

    /**
     * Adds jars/directories (globs allowed, {@link java.io.File#pathSeparator}-separated) to the compiler and the
     * snippet class loader, then installs extensions found there (each extension class once).
     *
     * @return the entries that were new
     */
    public List<String> addToClasspath(String classpath) {
        List<String> added = new ArrayList<>();
        for (Path entry : ClasspathGlobs.expand(classpath)) {
            String path = entry.toString();
            if (!delegate.isOnClasspath(path)) {
                shell.addToClasspath(path);
                added.add(path);
            }
        }
        if (!added.isEmpty() && extensionsEnabled) {
            installExtensions(getClassLoader());
        }
        return added;
    }

    /** The entries added at run time (kernelspec setting, %classpath, %maven), in order. */
    public List<String> addedClasspath() {
        return delegate.classpath();
    }

    @Override
    protected ClassLoader getClassLoader() {
        return delegate.classLoader();
    }

    /** One broken extension must not stop the others or the kernel. */
    @Override
    protected void installExtensions(ClassLoader classLoader) {
        Iterator<ServiceLoader.Provider<Extension>> providers =
                ServiceLoader.load(Extension.class, classLoader).stream().iterator();
        while (true) {
            try {
                if (!providers.hasNext()) {
                    return;
                }
                ServiceLoader.Provider<Extension> provider = providers.next();
                if (!extensions.containsKey(provider.type().getName())) {
                    installExtension(provider.get());
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                System.err.println("loralab kernel: skipping an extension that cannot load: " + e);
            }
        }
    }

    @Override
    protected void installExtension(Extension extension) {
        try {
            super.installExtension(extension);
        } catch (Throwable t) {
            System.err.println("loralab kernel: extension " + extension.getClass().getName() + " failed to install: "
                    + ErrorReport.of(t).ename() + ": " + ErrorReport.of(t).evalue());
        }
    }

    /** The extension classes installed so far. */
    public List<String> installedExtensions() {
        return new ArrayList<>(new TreeSet<>(extensions.keySet()));
    }

    // ------------------------------------------------------------------ protocol handlers

    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        int count = executionCount.getAndIncrement();
        // the cell counts as started now: an interrupt while it waits for start-up or compiles is not lost
        control.runner().beginCell(count);
        try {
            execute(env, message, count);
        } finally {
            control.runner().endCell();
        }
    }

    private void execute(ShellReplyEnvironment env, Message<ExecuteRequest> message, int count) {
        awaitStarted();
        evaluator.startCell();
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        env.setBusyDeferIdle();
        env.publish(new PublishExecuteInput(request.getCode(), count));
        if (request.shouldStoreHistory()) {
            history.record(count, request.getCode());
        }
        replaceOutputStreams(env);
        output.begin(count, env);
        kernelIO.attach(env, request.isStdinEnabled());
        env.defer(() -> kernelIO.detach(env));
        try {
            DisplayData out = eval(request.getCode());
            output.end();
            if (out != null) {
                if (!request.isSilent()) {
                    env.publish(new PublishExecuteResult(count, out));
                }
                Object text = out.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN);
                history.recordOutput(count, text == null ? "" : text.toString());
            }
            flushIOPub();
            env.defer().reply(new ExecuteReply(count, java.util.Collections.emptyMap()));
        } catch (Throwable t) {
            try {
                replyError(env, count, ErrorReport.of(t));
            } catch (Throwable again) {
                // e.g. out of memory while building the report: the frontend still gets an answer
                replyError(env, count, new ErrorReport(again.getClass().getSimpleName(), "",
                        List.of(again.getClass().getName())));
            }
        }
    }

    private void replyError(ShellReplyEnvironment env, int count, ErrorReport report) {
        output.end();
        env.publish(new PublishError(report.ename(), report.evalue(), report.traceback()));
        ErrorReply reply = new ErrorReply(report.ename(), report.evalue(), report.traceback());
        reply.setExecutionCount(count);
        flushIOPub();
        env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
    }

    /** Everything the cell published goes out before its reply. */
    private void flushIOPub() {
        KernelChannels c = channels;
        if (c != null) {
            c.flushIOPub(2000);
        }
    }

    /** Answers every history_request (BaseKernel sends nothing when the manager returns null) with a status. */
    @Override
    protected void handleHistoryRequest(ShellReplyEnvironment env, Message<HistoryRequest> message) {
        HistoryRequest request = message.getContent();
        env.setBusyDeferIdle();
        Set<HistoryManager.ResultFlag> flags = EnumSet.noneOf(HistoryManager.ResultFlag.class);
        if (request.includeOutput()) {
            flags.add(HistoryManager.ResultFlag.INCLUDE_OUTPUT);
        }
        List<HistoryEntry> entries;
        if (request instanceof HistoryRequest.Tail) {
            entries = history.lookupTail(((HistoryRequest.Tail) request).getMaxReturnLength(), flags);
        } else if (request instanceof HistoryRequest.Range) {
            HistoryRequest.Range range = (HistoryRequest.Range) request;
            entries = history.lookupRange(range.getSessionIndex(), range.getStart(), range.getStop(), flags);
        } else if (request instanceof HistoryRequest.Search) {
            HistoryRequest.Search search = (HistoryRequest.Search) request;
            if (search.filterUnique()) {
                flags.add(HistoryManager.ResultFlag.UNIQUE);
            }
            entries = history.search(search.getPattern(), search.getMaxReturnLength(), flags);
        } else {
            entries = List.of();
        }
        env.reply(new HistoryReplyWithStatus(entries));
    }

    @Override
    protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> message) {
        env.setBusyDeferIdle();
        env.reply(new KernelInfoReplyWithStatus(Header.PROTOCOL_VERISON, name, version, getLanguageInfo(),
                getBanner(), getHelpLinks()));
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        try {
            super.onShutdown(isRestarting);
        } finally {
            control.interrupt();
            shell.close();
        }
    }
}
