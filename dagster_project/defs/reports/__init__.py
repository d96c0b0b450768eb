"""Progress reports of provinces and communes, per year, as files a data manager sends on."""
