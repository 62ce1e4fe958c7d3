# jan/08/2024 10:00:00 by RouterOS 6.49.10
# software id = 9XKL-Q2HT
#
# model = RB4011iGS+
# serial number = D4E50C2A1B3F
/interface bridge
add name=bridge-lan
/interface wireless security-profiles
set [ find default=yes ] supplicant-identity=MikroTik
add authentication-types=wpa2-psk mode=dynamic-keys name=kantor \
    supplicant-identity="" wpa2-pre-shared-key=WifiKantorRahasia01
/interface l2tp-server server
set enabled=yes ipsec-secret=L2tpIpsec02 use-ipsec=yes
/ip ipsec identity
add peer=pusat secret=IpsecPusat03
/ip pool
add name=dhcp-lan ranges=10.30.0.100-10.30.0.200
/ppp secret
add name=budi password=PppBudi04 profile=default-encryption service=l2tp
add name=siti password="Ppp Siti 05" service=pptp
add comment="akun kepala kantor yang sangat panjang sekali" name=kepala password=Pp\
    pKepala06 service=l2tp
/radius
add address=10.30.0.5 secret=RadiusMt07 service=login
/snmp community
set [ find default=yes ] name=SnmpMtCommunity08
add addresses=10.30.0.0/24 authentication-password=SnmpAuth09 name=nms-v3 \
    encryption-password=SnmpPriv10 security=private
/interface wireguard
add listen-port=13231 name=wg0 private-key="WGprivKeyAbc11="
/interface wireguard peers
add allowed-address=10.99.0.2/32 interface=wg0 public-key="WGpubKeyPeerXyz="
/ip address
add address=10.30.0.1/24 interface=bridge-lan network=10.30.0.0
/system identity
set name=MT-KANWIL-01
