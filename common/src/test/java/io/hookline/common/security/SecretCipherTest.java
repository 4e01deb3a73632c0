package io.hookline.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretCipherTest {
    @Test
    void roundTripsAndNeverRepeatsCiphertext() {
        SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        String a = cipher.encrypt("whsec_abc");
        assertThat(cipher.decrypt(a)).isEqualTo("whsec_abc");
        assertThat(cipher.encrypt("whsec_abc")).isNotEqualTo(a);
        assertThat(a).doesNotContain("whsec");
    }

    @Test
    void anotherKeyOrATamperedValueCannotDecrypt() {
        SecretCipher one = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        SecretCipher two = SecretCipher.fromBase64Key(SecretCipher.generateKey());
        String sealed = one.encrypt("whsec_abc");
        assertThatThrownBy(() -> two.decrypt(sealed)).isInstanceOf(IllegalArgumentException.class);
        char last = sealed.charAt(sealed.length() - 2);
        String tampered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        assertThatThrownBy(() -> one.decrypt(tampered)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysMustBe32Bytes() {
        assertThatThrownBy(() -> SecretCipher.fromBase64Key("c2hvcnQ=")).hasMessageContaining("32 random bytes");
        assertThatThrownBy(() -> SecretCipher.fromBase64Key("%%%")).hasMessageContaining("32 random bytes");
    }
}
