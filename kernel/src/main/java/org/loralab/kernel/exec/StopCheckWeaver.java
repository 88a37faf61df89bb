package org.loralab.kernel.exec;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.HashSet;
import java.util.Set;

/**
 * Inserts {@code StopCheck.check()} at each method entry and before each backward jump of snippet bytecode,
 * so that an interrupt stops even a {@code while(true){}} loop that never looks at its thread's interrupt flag.
 */
final class StopCheckWeaver {

    private static final String OWNER = StopCheck.class.getName().replace('.', '/');

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

        private void insertCheck() {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, "check", "()V", false);
        }
    }
}
