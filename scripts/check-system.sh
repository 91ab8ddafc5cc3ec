#!/bin/sh
# Says which Debian packages this machine lacks, with the one line that installs them.
# Never fails: the site runs without them; PDF documents and browser tests need them.
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium"
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for package in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  echo ""
  echo "This machine lacks Debian packages that PDF documents and the browser tests need:$missing"
  echo "Install them all with one line:"
  echo "  sudo apt-get install $PACKAGES"
  echo ""
fi
exit 0
