package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** fnmatch semantics as snapshot_download applies them, and the default model file set. */
class FilePatternsTest {
    @Test
    void theDefaultSetTakesWeightsConfigsAndTokenizersButNoPickle() {
        FilePatterns p = new FilePatterns(FilePatterns.MODEL_FILES, List.of());
        List<String> repo = List.of("config.json", "model-00001-of-00002.safetensors", "model.safetensors.index.json",
                "pytorch_model.bin", "tokenizer.json", "tokenizer.model", "README.md", ".gitattributes",
                "adapter_model.safetensors", "adapter_model.bin", "onnx/model.onnx", "preprocessor_config.json");

        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model.safetensors.index.json",
                "tokenizer.json", "adapter_model.safetensors", "preprocessor_config.json"), p.filter(repo));
    }

    @Test
    void starCrossesFoldersAndAFolderPatternTakesEverythingBelow() {
        assertTrue(new FilePatterns(List.of("*.json"), List.of()).accepts("sub/dir/config.json"));
        assertTrue(new FilePatterns(List.of("onnx/"), List.of()).accepts("onnx/a/model.onnx"));
        assertFalse(new FilePatterns(List.of("onnx/"), List.of()).accepts("onnx.txt"));
        assertFalse(new FilePatterns(List.of("config.json"), List.of()).accepts("sub/config.json"));
    }

    @Test
    void questionMarkClassesAndIgnorePatterns() {
        assertTrue(new FilePatterns(List.of("model-0000?.safetensors"), List.of()).accepts("model-00001.safetensors"));
        assertTrue(new FilePatterns(List.of("[abc]*.txt"), List.of()).accepts("b.txt"));
        assertFalse(new FilePatterns(List.of("[!abc]*.txt"), List.of()).accepts("b.txt"));
        assertTrue(new FilePatterns(List.of("a[.txt"), List.of()).accepts("a[.txt"), "a lone [ is literal");
        assertFalse(new FilePatterns(List.of("*"), List.of("*.md")).accepts("README.md"));
        assertTrue(new FilePatterns(List.of("x.(json)+"), List.of()).accepts("x.(json)+"));
        assertFalse(new FilePatterns(List.of("x.(json)+"), List.of()).accepts("xa(json)"), "regex characters are literal");
    }
}
