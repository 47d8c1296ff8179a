// Remote keys and the metadata JSON of a pledge.
#include "pb/uploader.h"
