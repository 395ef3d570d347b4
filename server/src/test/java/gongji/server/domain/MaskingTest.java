package gongji.server.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MaskingTest {

  @Test
  void name_threeCharacters_keepsOnlyTheFirst() {
    assertEquals("张**", Masking.name("张三丰"));
  }

  @Test
  void name_twoCharacters_keepsTheFamilyName() {
    assertEquals("李*", Masking.name("李娜"));
  }

  @Test
  void name_oneCharacter_isAStar() {
    assertEquals("*", Masking.name("张"));
  }

  @Test
  void name_empty_staysEmpty() {
    assertEquals("", Masking.name(""));
  }

  @Test
  void name_supplementaryCharacters_maskedByCodePointNotByChar() {
    // U+20000 (a CJK Extension B character) is two Java chars: it must be kept or masked whole.
    assertEquals("\uD840\uDC00**", Masking.name("\uD840\uDC00ab"));
    assertEquals("a*", Masking.name("a\uD840\uDC00"));
  }

  @Test
  void psnNo_long_keepsTheFirstAndLastFour() {
    assertEquals("6201" + "*".repeat(18) + "0001", Masking.psnNo("62010019800101001100000001"));
  }

  @Test
  void psnNo_nineCharacters_masksTheMiddleOne() {
    assertEquals("1234*6789", Masking.psnNo("123456789"));
  }

  @Test
  void psnNo_eightOrFewer_isAllStars() {
    assertEquals("********", Masking.psnNo("12345678"));
    assertEquals("***", Masking.psnNo("123"));
    assertEquals("", Masking.psnNo(""));
  }

  @Test
  void person_showsMaskedNameAndMaskedNumber() {
    assertEquals("张* 6201" + "*".repeat(18) + "0001", Masking.person("张伟", "62010019800101001100000001"));
  }
}
