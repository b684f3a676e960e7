// index.ts: the entry of its folder (every folder that has an entry names it so): what the folder offers the layers above.
/**
 * Prompts in other languages: which parts of a prompt are words to translate (prompt-parts.ts) and the chat API
 * that translates them (chat-api.ts). The cache and the member's choices are the start path's (src/tasks).
 */
export { ChatTranslator, TranslationFailed, type TranslationProblem } from './chat-api';
export { hasCjk, joinParts, promptParts } from './prompt-parts';
