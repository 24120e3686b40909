"""Answer understanding: free text -> stance, signals, topic or navigation intent."""
