"""What the committee must show owners (R-55): notices, estate documents, the committee and its meetings."""
