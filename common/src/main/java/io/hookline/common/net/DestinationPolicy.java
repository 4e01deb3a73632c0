package io.hookline.common.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The guard against server-side request forgery: webhook URLs must be http(s) and must not reach loopback,
 * private, link-local, carrier-grade NAT, multicast, reserved or cloud-metadata addresses, unless an operator
 * allowed the network ({@code HOOKLINE_ALLOWED_NETWORKS}). The registrar checks the URL when it is registered;
 * the dispatcher checks the resolved address again when it connects, because DNS can change in between.
 */
public final class DestinationPolicy {
    private record Blocked(Cidr network, String reason) {
    }

    private static final List<Blocked> BLOCKED = List.of(
            blocked("0.0.0.0/8", "an unspecified (0.0.0.0/8) address"),
            blocked("10.0.0.0/8", "a private address"),
            blocked("100.64.0.0/10", "a carrier-grade NAT address"),
            blocked("127.0.0.0/8", "a loopback address"),
            blocked("169.254.169.254/32", "a cloud metadata address"),
            blocked("169.254.0.0/16", "a link-local address"),
            blocked("172.16.0.0/12", "a private address"),
            blocked("192.0.0.0/24", "an IETF protocol assignment address"),
            blocked("192.0.2.0/24", "a documentation address"),
            blocked("192.168.0.0/16", "a private address"),
            blocked("198.18.0.0/15", "a benchmarking address"),
            blocked("198.51.100.0/24", "a documentation address"),
            blocked("203.0.113.0/24", "a documentation address"),
            blocked("100.100.100.200/32", "a cloud metadata address"),
            blocked("224.0.0.0/4", "a multicast address"),
            blocked("240.0.0.0/4", "a reserved address"),
            blocked("::/128", "an unspecified address"),
            blocked("::1/128", "a loopback address"),
            blocked("fd00:ec2::254/128", "a cloud metadata address"),
            blocked("fc00::/7", "a unique-local (private) address"),
            blocked("fe80::/10", "a link-local address"),
            blocked("fec0::/10", "a site-local address"),
            blocked("ff00::/8", "a multicast address"),
            blocked("2001:db8::/32", "a documentation address"));

    /** Hosts made of digits, dots and hex that are not a canonical dotted quad: 2130706433, 0177.0.0.1, 0x7f.1. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("(0x[0-9a-f]+|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]*))*");
    private static final Pattern CANONICAL_QUAD =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");

    private final List<Cidr> allowed;
    private final boolean allowAll;

    private DestinationPolicy(List<Cidr> allowed, boolean allowAll) {
        this.allowed = List.copyOf(allowed);
        this.allowAll = allowAll;
    }

    /** A policy allowing the given networks in addition to public addresses; bad CIDRs throw with the reason. */
    public static DestinationPolicy of(List<String> allowedNetworks) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String network : allowedNetworks) {
            if (!network.isBlank()) {
                cidrs.add(Cidr.parse(network));
            }
        }
        return new DestinationPolicy(cidrs, false);
    }

    /** No restriction at all; for tests of other concerns only. */
    public static DestinationPolicy allowAll() {
        return new DestinationPolicy(List.of(), true);
    }

    public List<Cidr> allowedNetworks() {
        return allowed;
    }

    /**
     * Checks a webhook URL: scheme, host syntax, and every address the host resolves to. Returns the parsed URI.
     */
    public URI checkUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new DestinationRejectedException("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new DestinationRejectedException("must use http or https");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new DestinationRejectedException("has no valid host name or address");
        }
        if (uri.getRawUserInfo() != null) {
            throw new DestinationRejectedException("must not contain credentials (user-info); use custom headers");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = bare.toLowerCase(Locale.ROOT);
        if (NUMERIC_HOST.matcher(lower).matches() && !CANONICAL_QUAD.matcher(lower).matches()) {
            throw new DestinationRejectedException("host '" + host + "' is an ambiguous numeric address; "
                    + "write IPv4 addresses as four decimal parts");
        }
        if (allowAll) {
            return uri;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            throw new DestinationRejectedException("host '" + host + "' cannot be resolved");
        }
        for (InetAddress address : addresses) {
            checkAddress(address);
        }
        return uri;
    }

    /** Checks one resolved address, as the dispatcher does right before connecting. */
    public void checkAddress(InetAddress address) {
        if (allowAll) {
            return;
        }
        for (Cidr network : allowed) {
            if (network.contains(address)) {
                return;
            }
        }
        InetAddress effective = embeddedIpv4(address);
        if (effective != address) {
            for (Cidr network : allowed) {
                if (network.contains(effective)) {
                    return;
                }
            }
        }
        for (Blocked blocked : BLOCKED) {
            if (blocked.network().contains(effective)) {
                throw new DestinationRejectedException("host resolves to " + blocked.reason() + " ("
                        + address.getHostAddress() + "); allow it with HOOKLINE_ALLOWED_NETWORKS if intended");
            }
        }
    }

    /**
     * The IPv4 address carried inside an IPv6 one (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
     * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}, 6to4 {@code 2002:aabb:ccdd::}) so it is judged by its
     * IPv4 meaning; otherwise the address itself.
     */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] b = address.getAddress();
        boolean zeroHead = true;
        for (int i = 0; i < 10; i++) {
            zeroHead &= b[i] == 0;
        }
        byte[] v4 = null;
        if (zeroHead && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0 && !isAllZero(b, 12)
                && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1)))) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
            v4 = new byte[] {b[12], b[13], b[14], b[15]};
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            v4 = new byte[] {b[2], b[3], b[4], b[5]};
        }
        if (v4 == null) {
            return address;
        }
        try {
            return Inet4Address.getByAddress(v4);
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static boolean isAllZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Blocked blocked(String cidr, String reason) {
        return new Blocked(Cidr.parse(cidr), reason);
    }
}
