#include "fa_msg.h"
