package gongji.server.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RegionPolicyTest {

  @Test
  void province_isTheFirstTwoDigits() {
    assertEquals("62", RegionPolicy.province("620102"));
    assertEquals("00", RegionPolicy.province("000000"));
    assertEquals("99", RegionPolicy.province("99"));
    assertEquals("62", RegionPolicy.defaults("620100").province());
  }

  @Test
  void province_ofAnyTwoAreas_isOneSharedInstance() {
    // new String(...): areas read from a snapshot or a request are never the same instance.
    assertSame(RegionPolicy.province(new String("620102")), RegionPolicy.province(new String("620503")));
    assertSame(RegionPolicy.defaults(new String("110101")).province(), RegionPolicy.province(new String("110000")));
  }

  @Test
  void province_ofACodeNotStartingWithDigits_isItsFirstTwoCharacters() {
    assertEquals("X6", RegionPolicy.province("X62010"));
    assertEquals("6", RegionPolicy.province("6"));
    assertEquals("", RegionPolicy.province(""));
  }
}
