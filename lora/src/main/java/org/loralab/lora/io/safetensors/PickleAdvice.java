package org.loralab.lora.io.safetensors;

/** The one-liner that turns a pickle checkpoint into safetensors, for refusals of .bin files. */
public final class PickleAdvice {
    private PickleAdvice() {}

    /**
     * A Python command, run in the file's directory by someone who trusts the file, that writes the safetensors
     * equivalent of {@code binFile} (a single .bin; for a sharded one, transformers' save_pretrained does it).
     */
    public static String convertCommand(String binFile) {
        if (binFile.endsWith(".index.json")) {
            return "python -c \"from transformers import AutoModel; AutoModel.from_pretrained('.').save_pretrained('.', "
                    + "safe_serialization=True)\"";
        }
        String out = binFile.equals("adapter_model.bin") ? "adapter_model.safetensors" : "model.safetensors";
        return "python -c \"import torch; from safetensors.torch import save_file; sd = torch.load('" + binFile
                + "', map_location='cpu'); save_file({k: v.contiguous().clone() for k, v in sd.items()}, '" + out
                + "', metadata={'format': 'pt'})\"";
    }
}
