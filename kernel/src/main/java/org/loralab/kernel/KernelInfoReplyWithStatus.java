package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;

import java.util.List;

/**
 * kernel_info_reply with the {@code "status": "ok"} that the v5 schema requires and 1.0-a6 leaves out.
 * A named class on purpose: Gson does not serialise anonymous classes.
 */
final class KernelInfoReplyWithStatus extends KernelInfoReply {

    @SuppressWarnings("unused") // read by Gson
    private final String status = "ok";

    KernelInfoReplyWithStatus(String protocolVersion, String implementationName, String implementationVersion,
                              LanguageInfo languageInfo, String banner, List<HelpLink> helpLinks) {
        super(protocolVersion, implementationName, implementationVersion, languageInfo, banner, helpLinks);
    }
}
