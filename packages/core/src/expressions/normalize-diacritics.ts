/**
 * Letters Entra's NormalizeDiacritics table maps to something other than
 * their Unicode base letter (from the public function reference).
 */
const SPECIAL: Readonly<Record<string, string>> = {
  "æ": "ae",
  "Æ": "AE",
  "ø": "oe",
  "Ø": "OE",
  "œ": "oe",
  "Œ": "OE",
  "ß": "ss",
  "ı": "i",
  "ł": "l",
  "Ł": "L",
};

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const MARK = /\p{M}/u;

/**
 * Entra's `NormalizeDiacritics`: Latin letters lose their accents (upper case
 * stays upper case) and the letters of the table become their ASCII spelling
 * (`æ → ae`, `Ø → OE`, `ß → ss`, `ł → l`, …). Marks on non-Latin letters are
 * kept, so other scripts pass through unchanged.
 *
 * @example
 * ```ts
 * normalizeDiacritics("Zoë Ærøskøbing-Łukasz"); // "Zoe AEroeskoebing-Lukasz"
 * ```
 */
export function normalizeDiacritics(text: string): string {
  if (ASCII_ONLY.test(text)) return text;
  let out = "";
  let stripMarks = false;
  for (const ch of text.normalize("NFD")) {
    if (MARK.test(ch)) {
      if (!stripMarks) out += ch;
      continue;
    }
    const special = SPECIAL[ch];
    if (special !== undefined) {
      out += special;
      stripMarks = true;
      continue;
    }
    const c = ch.charCodeAt(0);
    stripMarks = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    out += ch;
  }
  return out.normalize("NFC");
}
