package org.loralab.kernel.exec;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.HashSet;
import java.util.Set;

/**
 * Inserts {@code StopCheck.check()} at each method entry and before each backward jump of snippet bytecode,
 * so that an interrupt stops even a {@code while(true){}} loop that never looks at its thread's interrupt flag;
 * and turns calls of System.exit, Runtime.exit and Runtime.halt into {@link ExitGuard} calls that throw.
 */
final class StopCheckWeaver {

    private static final String OWNER = StopCheck.class.getName().replace('.', '/');
    private static final String GUARD = ExitGuard.class.getName().replace('.', '/');

    private StopCheckWeaver() {
    }

    /** Returns woven bytes, or the original bytes when ASM cannot handle the class. */
    static byte[] weave(byte[] bytes) {
        try {
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, 0);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                    return mv == null ? null : new CheckInserter(mv);
                }
            }, 0);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            return bytes;
        }
    }

    private static final class CheckInserter extends MethodVisitor {
        private final Set<Label> seen = new HashSet<>();

        CheckInserter(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            insertCheck();
        }

        @Override
        public void visitLabel(Label label) {
            seen.add(label);
            super.visitLabel(label);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            if (seen.contains(label)) {
                insertCheck();
            }
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/lang/System") && name.equals("exit")
                    && descriptor.equals("(I)V")) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "systemExit", "(I)V", false);
            } else if (opcode == Opcodes.INVOKEVIRTUAL && owner.equals("java/lang/Runtime")
                    && (name.equals("exit") || name.equals("halt")) && descriptor.equals("(I)V")) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, name.equals("exit") ? "runtimeExit" : "runtimeHalt",
                        "(Ljava/lang/Runtime;I)V", false);
            } else {
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            }
        }

        /** Method references such as {@code System::exit} reach exit through a lambda bootstrap argument. */
        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... bsmArgs) {
            Object[] args = bsmArgs.clone();
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Handle) {
                    args[i] = guarded((Handle) args[i]);
                }
            }
            super.visitInvokeDynamicInsn(name, descriptor, bsm, args);
        }

        private static Handle guarded(Handle h) {
            if (h.getOwner().equals("java/lang/System") && h.getName().equals("exit") && h.getDesc().equals("(I)V")) {
                return new Handle(Opcodes.H_INVOKESTATIC, GUARD, "systemExit", "(I)V", false);
            }
            if (h.getOwner().equals("java/lang/Runtime") && (h.getName().equals("exit") || h.getName().equals("halt"))
                    && h.getDesc().equals("(I)V")) {
                return new Handle(Opcodes.H_INVOKESTATIC, GUARD, h.getName().equals("exit") ? "runtimeExit"
                        : "runtimeHalt", "(Ljava/lang/Runtime;I)V", false);
            }
            return h;
        }

        private void insertCheck() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, "check", "()V", false);
        }
    }
}
