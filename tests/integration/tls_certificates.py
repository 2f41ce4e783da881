"""A throw-away certificate authority for the TLS tests, made with the openssl
command: a CA, server certificates for 127.0.0.1, client certificates, and a
CRL that revokes one of them. Elliptic-curve keys, so it takes well under a
second."""
import pathlib
import subprocess

CA_CONFIG = """[ca]
default_ca = test_ca
[test_ca]
database = {dir}/index.txt
crlnumber = {dir}/crlnumber
default_md = sha256
default_crl_days = 1
"""


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


class CertificateAuthority:
    def __init__(self, directory: pathlib.Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca = self.dir / "ca.pem"
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mqwarden test CA", cwd=self.dir)
        (self.dir / "index.txt").write_text("")
        (self.dir / "crlnumber").write_text("01\n")
        (self.dir / "ca.cnf").write_text(CA_CONFIG.format(dir=self.dir))

    def issue(self, name, subject, server=False):
        """Writes name.pem and name.key signed by the CA; returns (certificate, key) paths."""
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=self.dir)
        extensions = self.dir / f"{name}.ext"
        extensions.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n" if server
                              else "extendedKeyUsage = clientAuth\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", str(extensions), cwd=self.dir)
        return self.dir / f"{name}.pem", self.dir / f"{name}.key"

    def revoke(self, certificate):
        """Revokes `certificate` and writes the CA's CRL; returns its path."""
        openssl("ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-revoke", str(certificate),
                cwd=self.dir)
        openssl("ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-gencrl", "-out", "crl.pem",
                cwd=self.dir)
        return self.dir / "crl.pem"
