package connectivity

// microsoftRoots are the root CAs Microsoft documents for Azure and Entra
// services ("Azure Certificate Authority details", learn.microsoft.com
// azure/security/fundamentals/azure-ca-details). Baltimore CyberTrust Root
// is left out: it expired on 2025-05-12. A verified chain that ends
// elsewhere on a Microsoft host means something re-signed the traffic.
var microsoftRoots = []string{
	"DigiCert Global Root CA",
	"DigiCert Global Root G2",
	"DigiCert Global Root G3",
	"Microsoft ECC Root Certificate Authority 2017",
	"Microsoft RSA Root Certificate Authority 2017",
}
